package io.sonde.debugger;

import com.google.protobuf.ByteString;
import com.sun.jdi.connect.spi.ClosedConnectionException;
import com.sun.jdi.connect.spi.Connection;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.sonde.debugger.proto.JdwpFrame;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

/**
 * A debugger's JDWP connection to a worker through its node: a JDI {@link Connection} (give it to
 * {@code Bootstrap.virtualMachineManager().createVirtualMachine}) over the node's Jdwp stream. Each
 * packet JDI writes goes to the node as one {@link JdwpFrame}, the first frame naming the worker;
 * each frame the node sends is one packet for JDI. When the worker exits (or the node refuses the
 * worker) the stream ends, and JDI reads the end of its connection: a VMDisconnectEvent. Closing
 * this connection ends the stream, and the worker drops the debugger's requests and suspensions.
 *
 * <p>Thread-safe as the SPI asks: one reader, writers serialized here.
 */
final class JdwpTunnel extends Connection {
    private static final Object CLOSED = new Object();

    private record Ended(Throwable error) {
    }

    private final String worker;
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final StreamObserver<JdwpFrame> toNode;
    private volatile boolean closed;
    private volatile boolean ended;

    /**
     * @param workerId the worker to reach
     * @param open     opens the stream to the node: given where the node's frames go, returns where to send
     */
    JdwpTunnel(String workerId, String describe, Function<StreamObserver<JdwpFrame>, StreamObserver<JdwpFrame>> open) {
        this(JdwpFrame.newBuilder().setWorkerId(workerId).build(), describe, open);
    }

    /** To the JVM of a listed stop: its worker, or its driver ({@code BreakpointInfo.driver}). */
    static JdwpTunnel to(io.sonde.debugger.proto.BreakpointInfo b, String describe,
                         Function<StreamObserver<JdwpFrame>, StreamObserver<JdwpFrame>> open) {
        return new JdwpTunnel(b.getDriver() ? JdwpFrame.newBuilder().setDriverJobId(b.getJobId()).build()
                : JdwpFrame.newBuilder().setWorkerId(b.getWorkerId()).build(), describe, open);
    }

    /** @param first the first frame: names the worker (or the driver) to reach */
    private JdwpTunnel(JdwpFrame first, String describe, Function<StreamObserver<JdwpFrame>, StreamObserver<JdwpFrame>> open) {
        this.worker = describe;
        this.toNode = open.apply(new StreamObserver<>() {
            @Override
            public void onNext(JdwpFrame f) {
                inbox.add(f.getPacket().toByteArray());
            }

            @Override
            public void onError(Throwable t) {
                ended = true;
                inbox.add(new Ended(t));
            }

            @Override
            public void onCompleted() {
                ended = true;
                inbox.add(new Ended(null));
            }
        });
        synchronized (this) {
            // names the worker at once: a worker the node does not know ends the stream before JDI asks anything
            toNode.onNext(first);
        }
    }

    @Override
    public byte[] readPacket() throws IOException {
        if (closed) {
            throw new ClosedConnectionException("the connection to " + worker + " is closed");
        }
        Object x;
        try {
            x = inbox.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading from " + worker);
        }
        if (x instanceof byte[] p) {
            return p;
        }
        inbox.add(x); // the end stays for the next read
        if (x == CLOSED) {
            throw new ClosedConnectionException("the connection to " + worker + " is closed");
        }
        Throwable error = ((Ended) x).error();
        if (error != null) {
            throw new IOException(why(error));
        }
        return new byte[0];
    }

    /** Why the node ended the tunnel, as a sentence part. */
    static String why(Throwable error) {
        Status s = Status.fromThrowable(error);
        return s.getDescription() != null ? s.getDescription() : s.getCode().toString();
    }

    /** The reason the node ended the tunnel, if it ended with an error and JDI has not read it yet. */
    String failure() {
        for (Object x : inbox) {
            if (x instanceof Ended e && e.error() != null) {
                return why(e.error());
            }
        }
        return null;
    }

    @Override
    public synchronized void writePacket(byte[] pkt) throws IOException {
        if (closed || ended) {
            throw new ClosedConnectionException("the connection to " + worker + " is closed");
        }
        try {
            toNode.onNext(JdwpFrame.newBuilder().setPacket(ByteString.copyFrom(pkt)).build());
        } catch (RuntimeException e) {
            throw new IOException("cannot send to " + worker + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        inbox.add(CLOSED);
        try {
            toNode.onCompleted();
        } catch (RuntimeException ignored) {
            // the stream has ended already
        }
    }

    @Override
    public boolean isOpen() {
        return !closed && !ended;
    }
}
