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

    /** Sends a message to this plug-in's {@link NodePlugin}, in order with the client's other messages. */
    void sendToNode(ByteString payload);
}
