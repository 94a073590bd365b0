package io.sonde.debugger.jdwp;

import com.sun.jdi.connect.spi.Connection;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A debugger that speaks JDWP packets itself, as one behind a tunnel does: for what JDI cannot send. */
final class RawClient {
    final Connection connection;
    final BlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();
    final BlockingQueue<byte[]> events = new LinkedBlockingQueue<>();
    private int nextId = 1;

    RawClient(Connection connection) {
        this.connection = connection;
        Thread reader = new Thread(() -> {
            try {
                byte[] p;
                while ((p = connection.readPacket()).length > 0) {
                    (Jdwp.isReply(p) ? replies : events).add(p);
                }
            } catch (IOException closed) {
                // done
            }
        }, "raw-jdwp-client");
        reader.setDaemon(true);
        reader.start();
    }

    /** Sends a command and waits for its reply. */
    synchronized ByteBuffer call(int commandSet, int command, byte[] data) throws Exception {
        int id = send(commandSet, command, data);
        byte[] reply = replies.poll(10, TimeUnit.SECONDS);
        if (reply == null || Jdwp.id(reply) != id) {
            throw new AssertionError("no reply to " + commandSet + "/" + command);
        }
        if (Jdwp.errorCode(reply) != 0) {
            throw new AssertionError("JDWP error " + Jdwp.errorCode(reply) + " for " + commandSet + "/" + command);
        }
        return ByteBuffer.wrap(reply, Jdwp.HEADER, reply.length - Jdwp.HEADER);
    }

    synchronized int send(int commandSet, int command, byte[] data) throws IOException {
        int id = nextId++;
        connection.writePacket(Jdwp.command(id, commandSet, command, data));
        return id;
    }

    byte[] event(Duration within) throws InterruptedException {
        return events.poll(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The EventRequest.Set data of a breakpoint at the first instruction of {@code method} of {@code type}. */
    byte[] breakpointAt(Class<?> type, String method, int suspendPolicy) throws Exception {
        String signature = "L" + type.getName().replace('.', '/') + ";";
        ByteBuffer classes = call(1, 2, string(signature));
        classes.getInt();
        byte tag = classes.get();
        long typeId = classes.getLong();
        ByteBuffer methods = call(2, 5, ByteBuffer.allocate(8).putLong(typeId).array());
        int count = methods.getInt();
        for (int i = 0; i < count; i++) {
            long methodId = methods.getLong();
            String name = string(methods);
            string(methods);
            methods.getInt();
            if (name.equals(method)) {
                return ByteBuffer.allocate(2 + 4 + 1 + 1 + 8 + 8 + 8)
                        .put((byte) Jdwp.KIND_BREAKPOINT).put((byte) suspendPolicy).putInt(1)
                        .put((byte) 7).put(tag).putLong(typeId).putLong(methodId).putLong(0).array();
            }
        }
        throw new AssertionError("no method " + method + " in " + type);
    }

    static byte[] string(String s) {
        byte[] utf = s.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + utf.length).putInt(utf.length).put(utf).array();
    }

    static String string(ByteBuffer b) {
        byte[] utf = new byte[b.getInt()];
        b.get(utf);
        return new String(utf, StandardCharsets.UTF_8);
    }
}
