package io.sonde.debugger;

import com.sun.jdi.connect.spi.ClosedConnectionException;
import com.sun.jdi.connect.spi.Connection;
import io.sonde.testing.OtherUser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The {@code --jdwp-port} listener's own rules, against a stand-in for the worker's end of the
 * tunnel (the real tunnel, with a plain JDI client, is {@code DebugCommandTest}'s): whole packets
 * both ways, one debugger only, no debugger of another user, the handshake checked, and each end
 * learns when the other leaves.
 */
class JdwpRelayTest {
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final WorkerEnd worker = new WorkerEnd();
    private JdwpRelay relay;

    /** The worker's end: keeps what the debugger sent, answers what the test queues. */
    static final class WorkerEnd extends Connection {
        final LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        final LinkedBlockingQueue<byte[]> toSend = new LinkedBlockingQueue<>();
        volatile boolean closed;

        @Override
        public byte[] readPacket() throws IOException {
            try {
                byte[] p = toSend.take();
                if (closed) {
                    throw new ClosedConnectionException();
                }
                return p;
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        }

        @Override
        public void writePacket(byte[] pkt) {
            received.add(pkt);
        }

        @Override
        public void close() {
            closed = true;
            toSend.add(new byte[1]); // wakes the reader
        }

        @Override
        public boolean isOpen() {
            return !closed;
        }
    }

    @AfterEach
    void close() {
        if (relay != null) {
            relay.close();
        }
    }

    private void listen() throws IOException {
        relay = JdwpRelay.listen(0, () -> worker, "the worker of task t (pid 1)", (sentence, ended) -> events.add(sentence));
    }

    /** A command packet: VirtualMachine.Version with id {@code id} and {@code extra} bytes of data. */
    private static byte[] command(int id, int extra) {
        ByteBuffer b = ByteBuffer.allocate(11 + extra);
        b.putInt(11 + extra).putInt(id).put((byte) 0).put((byte) 1).put((byte) 1);
        for (int i = 0; i < extra; i++) {
            b.put((byte) i);
        }
        return b.array();
    }

    private Socket connectAndShakeHands() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), relay.port());
        s.setSoTimeout(10_000);
        s.getOutputStream().write("JDWP-Handshake".getBytes(StandardCharsets.US_ASCII));
        byte[] answer = new DataInputStream(s.getInputStream()).readNBytes(14);
        assertThat(new String(answer, StandardCharsets.US_ASCII)).isEqualTo("JDWP-Handshake");
        return s;
    }

    /** Must not be lost: any packet, whole, however the debugger's writes cut it; and the worker's end is closed when the debugger leaves. */
    @Test
    void packetsCrossWholeBothWaysAndTheDebuggerLeavingClosesTheWorkersEnd() throws Exception {
        listen();
        try (Socket s = connectAndShakeHands()) {
            OutputStream out = s.getOutputStream();
            byte[] small = command(1, 0);
            byte[] large = command(2, 100_000);
            out.write(small);
            out.write(large, 0, 7); // cut in the header
            out.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> relay.state() == JdwpRelay.State.CONNECTED);
            assertThat(worker.received.poll(10, TimeUnit.SECONDS)).isEqualTo(small);
            out.write(large, 7, large.length - 7);
            out.flush();
            assertThat(worker.received.poll(10, TimeUnit.SECONDS)).isEqualTo(large);

            byte[] reply = {0, 0, 0, 12, 0, 0, 0, 1, (byte) 0x80, 0, 0, 42};
            worker.toSend.add(reply);
            assertThat(new DataInputStream(s.getInputStream()).readNBytes(reply.length)).isEqualTo(reply);
            assertThat(relay.listening()).as("one debugger only: the listener closed once it came").isFalse();
            assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), relay.port()).close())
                    .isInstanceOf(ConnectException.class);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> worker.closed);
        assertThat(relay.state()).isEqualTo(JdwpRelay.State.ENDED);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events)
                .anyMatch(e -> e.startsWith("A debugger connected from 127.0.0.1:"))
                .contains("The debugger detached; the JDWP listener is closed."));
    }

    /** VirtualMachine.Dispose ends the worker's side first: that end is the debugger's leaving, not the worker's. */
    @Test
    void aDisposeIsTheDebuggerLeaving() throws Exception {
        listen();
        try (Socket s = connectAndShakeHands()) {
            byte[] dispose = {0, 0, 0, 11, 0, 0, 0, 9, 0, 1, 6};
            s.getOutputStream().write(dispose);
            assertThat(worker.received.poll(10, TimeUnit.SECONDS)).isEqualTo(dispose);
            worker.toSend.add(new byte[] {0, 0, 0, 11, 0, 0, 0, 9, (byte) 0x80, 0, 0});
            worker.toSend.add(new byte[0]); // the router ends the client after the reply
            assertThat(new DataInputStream(s.getInputStream()).readNBytes(11)).hasSize(11);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(events).last().isEqualTo("The debugger detached; the JDWP listener is closed."));
    }

    /** The debugger reads the worker's end as the end of its connection, and is told so. */
    @Test
    void theWorkerLeavingClosesTheDebuggersConnection() throws Exception {
        listen();
        try (Socket s = connectAndShakeHands()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> relay.state() == JdwpRelay.State.CONNECTED);
            worker.toSend.add(new byte[0]); // the tunnel's end of stream
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events)
                .contains("The worker of task t (pid 1) is gone; the debugger's connection is closed."));
        await().atMost(Duration.ofSeconds(10)).until(() -> worker.closed);
    }

    @Test
    void aConnectionWithoutTheHandshakeIsClosedAndSaidSo() throws Exception {
        listen();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
            s.getOutputStream().write("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            assertThat(in.read()).isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events).singleElement().asString()
                .startsWith("The connection on port " + relay.port() + " did not start with the JDWP handshake"));
        assertThat(relay.state()).isEqualTo(JdwpRelay.State.ENDED);
        assertThat(worker.received).as("nothing reached the worker").isEmpty();
    }

    /**
     * Must not be lost: the debugger the user attaches. A connection of another uid, which got to
     * the port first, is refused (with no handshake), and the listener waits on for the user's.
     */
    @Test
    void aConnectionOfAnotherUserIsRefusedAndTheListenerWaitsOn() throws Exception {
        OtherUser.requireOrSkip("JdwpRelayTest.aConnectionOfAnotherUserIsRefusedAndTheListenerWaitsOn");
        listen();
        OtherUser.Result other = OtherUser.run(List.of("timeout", "20", "bash", "-c",
                "exec 3<>/dev/tcp/127.0.0.1/" + relay.port() + " && printf JDWP-Handshake >&3 && cat <&3; echo END"), true);
        assertThat(other.output()).as("what the other user read").isEqualTo("END\n");
        assertThat(events).singleElement().asString()
                .matches("Refused a JDWP connection from 127\\.0\\.0\\.1:\\d+: it belongs to uid \\d+, not to you \\(uid 0\\)\\."
                        + " Still listening on port " + relay.port() + "\\.");
        assertThat(relay.state()).isEqualTo(JdwpRelay.State.LISTENING);
        try (Socket s = connectAndShakeHands()) {
            s.getOutputStream().write(command(7, 0));
            assertThat(worker.received.poll(10, TimeUnit.SECONDS)).isEqualTo(command(7, 0));
        }
    }
}
