package io.sonde.spi;

import com.google.protobuf.ByteString;

/** What a core client (a driver's, or a worker's for nested tasks) gives its {@link ClientPlugin}s. Thread-safe. */
public interface ClientContext {
    /** Whether this is a worker's client; false in a driver. */
    boolean isWorker();

    /** In a worker: the id of the running task; else empty. */
    String currentTaskId();

    /** The IP of the node this client is connected to. */
    String nodeIp();

    /**
     * Prints one notice line through the client's log relay, as relayed worker output is printed:
     * {@code (who pid=PID, ip=IP) text}. Does nothing when the client relays no logs.
     */
    void notice(String who, long pid, String ip, String text);

    /**
     * Holds the relayed output of workers at this driver ({@code true}), or prints what was held, in
     * order, and goes on printing ({@code false}); holds nest. The returned future completes once
     * the relay's own printing thread has done it (for a release: printed what it held). Notices go
     * on printing meanwhile. Does nothing in a client that relays no logs.
     */
    default java.util.concurrent.CompletableFuture<Void> holdLogs(boolean hold) {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    /** Sends a message to this plug-in's {@link NodePlugin}, in order with the client's other messages. */
    void sendToNode(ByteString payload);
}
