package io.sonde.debugger.plugin;

import com.google.protobuf.ByteString;
import com.sun.jdi.connect.spi.Connection;
import io.sonde.debugger.jdwp.JdwpRouter;
import io.sonde.debugger.proto.TunnelFrame;
import io.sonde.debugger.proto.WorkerEvent;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The debuggers attached to this process (a worker, or a driver at its own breakpoint) through
 * the node's tunnel: each a client of the process's {@link JdwpRouter}, whose packets travel in
 * {@link TunnelFrame}s of the process's session. A worker's and a driver's debugger plug-ins hold
 * one each.
 */
final class JdwpTunnels {
    /** A debugger attached through the node: a client of the router. */
    private record Tunnel(long id, Connection connection, AtomicBoolean left) {
        /** The debugger leaves (Dispose, or the end of its tunnel); true the first time. */
        boolean leave() {
            return left.compareAndSet(false, true);
        }

        /** Ends the debugger's client: the router undoes its requests and suspensions. */
        void close() {
            try {
                connection.close();
            } catch (IOException ignored) {
                // ended already
            }
        }
    }

    private final JdwpRouter router;
    private final Consumer<WorkerEvent> send;
    private final String whose;
    private final Runnable attached;
    private final Runnable left;
    /** By tunnel number. */
    private final Map<Long, Tunnel> tunnels = new ConcurrentHashMap<>();

    /**
     * @param send     sends an event on the process's session (must not block)
     * @param whose    "worker" or "driver", for the errors the node passes on to the debugger
     * @param attached told when a debugger attaches, before its first packet
     * @param left     told once when a debugger leaves, before the router lets its suspensions go
     */
    JdwpTunnels(JdwpRouter router, Consumer<WorkerEvent> send, String whose, Runnable attached, Runnable left) {
        this.router = router;
        this.send = send;
        this.whose = whose;
        this.attached = attached;
        this.left = left;
    }

    /** A frame of a tunnel from the node, on the session's lane: must not block. */
    void frame(TunnelFrame f) {
        long id = f.getTunnel();
        if (f.getOpen()) {
            Connection c;
            try {
                c = router.connect("debugger " + id);
            } catch (IOException e) {
                send.accept(WorkerEvent.newBuilder().setTunnel(TunnelFrame.newBuilder().setTunnel(id).setClose(true)
                        .setError("the " + whose + "'s JDWP connection has ended")).build());
                return;
            }
            Tunnel t = new Tunnel(id, c, new AtomicBoolean());
            attached.run();
            tunnels.put(id, t);
            Thread reader = new Thread(() -> relay(t), "sonde-jdwp-tunnel-" + id);
            reader.setDaemon(true);
            reader.start();
        }
        Tunnel t = tunnels.get(id);
        if (t == null) {
            return;
        }
        if (!f.getPacket().isEmpty()) {
            byte[] packet = f.getPacket().toByteArray();
            if (JdwpRouter.endsClient(packet) && t.leave()) {
                left.run();
            }
            try {
                t.connection().writePacket(packet);
            } catch (IOException e) {
                System.err.println("sonde: a debugger's JDWP packet was refused: " + e.getMessage());
            }
        }
        if (f.getClose() && tunnels.remove(id) != null) {
            if (t.leave()) {
                left.run();
            }
            t.close();
        }
    }

    /** The router's packets for a tunnel's debugger, to the node, until its client ends. */
    private void relay(Tunnel t) {
        String error = "";
        try {
            while (true) {
                byte[] p = t.connection().readPacket();
                if (p.length == 0) {
                    break;
                }
                send.accept(WorkerEvent.newBuilder().setTunnel(TunnelFrame.newBuilder().setTunnel(t.id())
                        .setPacket(ByteString.copyFrom(p))).build());
            }
        } catch (IOException e) {
            error = t.left().get() ? "" : "the " + whose + "'s JDWP connection failed: " + e.getClass().getSimpleName();
        }
        if (tunnels.remove(t.id()) != null) {
            // ended here (the debugger's Dispose, or the process's connection): tell the node
            if (t.leave()) {
                left.run();
            }
            send.accept(WorkerEvent.newBuilder().setTunnel(TunnelFrame.newBuilder().setTunnel(t.id()).setClose(true)
                    .setError(error)).build());
        }
    }

    /** The process's session ends: the debuggers attached through the node are let go. */
    void closeAll() {
        for (Tunnel t : tunnels.values()) {
            t.close();
        }
        tunnels.clear();
    }
}
