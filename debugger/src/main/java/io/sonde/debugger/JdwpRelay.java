package io.sonde.debugger;

import com.sun.jdi.connect.spi.Connection;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code sonde debug --jdwp-port}: one loopback listener that hands a debugger of the user's own
 * choosing (an IDE's "attach to remote JVM") to one worker, through the node's JDWP tunnel. It
 * accepts one connection of the same user (a connection of another uid, told by the kernel's
 * socket table, is refused and the listener waits on), closes the listener, answers the JDWP
 * handshake, and copies whole packets both ways until either end leaves: the debugger
 * (its connection ends; the worker drops its requests and suspensions, as the tunnel does on
 * close) or the worker (the debugger's connection is closed, which it reads as the VM's death).
 *
 * <p>What happens is reported to {@code events} as sentences, from the relay's own threads.
 */
final class JdwpRelay implements Closeable {
    enum State { LISTENING, CONNECTED, ENDED }

    /** Where the relay says what happened: a sentence, and whether the relay has ended with it. */
    @FunctionalInterface
    interface Events {
        void say(String sentence, boolean ended);
    }

    static final String DETACHED = "The debugger detached; the JDWP listener is closed.";
    private static final byte[] HANDSHAKE = "JDWP-Handshake".getBytes(StandardCharsets.US_ASCII);
    /** A JDWP packet's header: length, id, flags, then command set and command or an error code. */
    private static final int HEADER = 11;
    /** Larger than any packet a debugger sends (RedefineClasses of big classes included): a guard against garbage. */
    private static final int MAX_PACKET = 256 << 20;

    private final ServerSocket server;
    private final Supplier<Connection> worker;
    private final String describe;
    private final Events events;
    private volatile State state = State.LISTENING;
    private volatile Socket debugger;
    private volatile Connection tunnel;
    /** The debugger sent VirtualMachine.Dispose: the end of the worker's side that follows is its leaving. */
    private volatile boolean disposed;

    private JdwpRelay(ServerSocket server, Supplier<Connection> worker, String describe, Events events) {
        this.server = server;
        this.worker = worker;
        this.describe = describe;
        this.events = events;
    }

    /**
     * Listens on 127.0.0.1:{@code port} (0: a free port) and starts waiting for the debugger.
     *
     * @param worker   opens the connection to the worker, once a debugger has connected
     * @param describe the worker, as a sentence part ("the worker of task t (pid 12)")
     */
    static JdwpRelay listen(int port, Supplier<Connection> worker, String describe, Events events)
            throws IOException {
        ServerSocket server = new ServerSocket();
        try {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        JdwpRelay relay = new JdwpRelay(server, worker, describe, events);
        Thread t = new Thread(relay::acceptOne, "sonde-jdwp-relay-accept");
        t.setDaemon(true);
        t.start();
        return relay;
    }

    int port() {
        return server.getLocalPort();
    }

    State state() {
        return state;
    }

    private void acceptOne() {
        Socket s;
        while (true) {
            try {
                s = server.accept();
            } catch (IOException e) {
                if (state == State.LISTENING) { // not closed by us
                    state = State.ENDED;
                    events.say("The JDWP listener on port " + port() + " failed: " + e.getMessage() + ".", true);
                }
                return;
            }
            String peer = s.getInetAddress().getHostAddress() + ":" + s.getPort();
            Optional<String> foreign = foreignOwner(s);
            if (foreign.isEmpty()) {
                break;
            }
            closeQuietly(s);
            events.say("Refused a JDWP connection from " + peer + ": " + foreign.get() + ". Still listening on port "
                    + port() + ".", false);
        }
        closeQuietly(server); // one debugger only
        serve(s);
    }

    /** The debugger's connection, accepted: handshake, then the worker's end, then a copier each way. */
    private void serve(Socket s) {
        debugger = s;
        try {
            s.setTcpNoDelay(true);
            handshake(s);
        } catch (IOException e) {
            end("The connection on port " + port() + " did not start with the JDWP handshake (" + e.getMessage()
                    + "); the listener is closed. Run the command again and attach a Java debugger.");
            return;
        }
        Connection c;
        try {
            c = worker.get();
        } catch (RuntimeException e) {
            end("Cannot reach " + describe + ": " + e.getMessage() + ". The debugger's connection is closed.");
            return;
        }
        tunnel = c;
        if (state == State.ENDED) { // closed meanwhile
            closeQuietly(c::close);
            return;
        }
        state = State.CONNECTED;
        events.say("A debugger connected from " + s.getInetAddress().getHostAddress() + ":" + s.getPort()
                + " to " + describe + ".", false);
        Thread in = new Thread(() -> fromDebugger(s, c), "sonde-jdwp-relay-in");
        in.setDaemon(true);
        in.start();
        Thread out = new Thread(() -> toDebugger(s, c), "sonde-jdwp-relay-out");
        out.setDaemon(true);
        out.start();
    }

    /** The debugger speaks first: the 14 bytes of "JDWP-Handshake", which the VM's end sends back. */
    private static void handshake(Socket s) throws IOException {
        s.setSoTimeout(10_000);
        byte[] got = new DataInputStream(s.getInputStream()).readNBytes(HANDSHAKE.length);
        if (!java.util.Arrays.equals(got, HANDSHAKE)) {
            throw new IOException("it sent " + got.length + " other bytes");
        }
        s.getOutputStream().write(HANDSHAKE);
        s.getOutputStream().flush();
        s.setSoTimeout(0);
    }

    private void fromDebugger(Socket s, Connection c) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()))) {
            while (true) {
                int length;
                try {
                    length = in.readInt();
                } catch (EOFException detached) {
                    end(DETACHED);
                    return;
                }
                if (length < HEADER || length > MAX_PACKET) {
                    end("The debugger sent a packet of " + length + " bytes, not JDWP; its connection is closed.");
                    return;
                }
                byte[] packet = new byte[length];
                packet[0] = (byte) (length >>> 24);
                packet[1] = (byte) (length >>> 16);
                packet[2] = (byte) (length >>> 8);
                packet[3] = (byte) length;
                in.readFully(packet, 4, length - 4);
                if (packet[8] == 0 && packet[9] == 1 && packet[10] == 6) { // a command: VirtualMachine.Dispose
                    disposed = true;
                }
                c.writePacket(packet);
            }
        } catch (IOException e) {
            end(state == State.ENDED ? null : "The debugger's connection ended (" + e.getMessage() + ").");
        }
    }

    private void toDebugger(Socket s, Connection c) {
        try {
            OutputStream out = new BufferedOutputStream(s.getOutputStream());
            while (true) {
                byte[] packet = c.readPacket();
                if (packet.length == 0 && disposed) {
                    end(DETACHED);
                    return;
                }
                if (packet.length == 0) {
                    end(describe.substring(0, 1).toUpperCase(Locale.ROOT) + describe.substring(1)
                            + " is gone; the debugger's connection is closed.");
                    return;
                }
                out.write(packet);
                out.flush();
            }
        } catch (IOException e) {
            end(state == State.ENDED ? null : "The connection to " + describe + " ended (" + e.getMessage()
                    + "); the debugger's connection is closed.");
        }
    }

    /** Ends the relay once, saying why if {@code why} is not null. */
    private void end(String why) {
        synchronized (this) {
            if (state == State.ENDED) {
                return;
            }
            state = State.ENDED;
        }
        if (why != null) {
            events.say(why, true); // before the debugger reads the end of its connection
        }
        closeAll();
    }

    @Override
    public void close() {
        synchronized (this) {
            state = State.ENDED;
        }
        closeAll();
    }

    private void closeAll() {
        closeQuietly(server);
        Connection c = tunnel;
        if (c != null) {
            closeQuietly(c::close); // the worker drops the debugger's requests and lets its suspensions go
        }
        Socket s = debugger;
        if (s != null) {
            closeQuietly(s);
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closed already
        }
    }

    // ------------------------------------------------------------------ who connected

    /**
     * Empty if the socket's other end belongs to this process's user; else why it is refused.
     * Linux's socket tables name the uid that owns each end of a loopback connection.
     */
    static Optional<String> foreignOwner(Socket s) {
        Path proc = Path.of("/proc/net/tcp");
        if (!Files.exists(proc)) {
            return Optional.empty(); // no socket table to read (not Linux): loopback is all the check there is
        }
        String own;
        try {
            own = String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.of("cannot tell this process's own uid (" + e.getMessage() + ")");
        }
        Optional<String> uid = ownerOf(s.getPort(), s.getLocalPort());
        if (uid.isEmpty()) {
            return Optional.of("its owner is not in the kernel's socket table, so it cannot be told to be you");
        }
        return uid.get().equals(own) ? Optional.empty()
                : Optional.of("it belongs to uid " + uid.get() + ", not to you (uid " + own + ")");
    }

    /** The uid of the socket bound to local port {@code port} and connected to port {@code peerPort}. */
    private static Optional<String> ownerOf(int port, int peerPort) {
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> rows;
            try {
                rows = Files.readAllLines(Path.of(table));
            } catch (IOException absent) {
                continue; // no IPv6
            }
            for (String row : rows.subList(Math.min(1, rows.size()), rows.size())) {
                String[] f = row.trim().split("\\s+");
                if (f.length > 7 && portOf(f[1]) == port && portOf(f[2]) == peerPort) {
                    return Optional.of(f[7]);
                }
            }
        }
        return Optional.empty();
    }

    private static int portOf(String address) {
        int colon = address.lastIndexOf(':');
        return colon < 0 ? -1 : Integer.parseInt(address.substring(colon + 1), 16);
    }

    @Override
    public String toString() {
        return "JdwpRelay[port " + port() + ", " + state + "]";
    }

    /** For tests: whether the listener accepts connections still. */
    boolean listening() {
        return !server.isClosed();
    }
}
