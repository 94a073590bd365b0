package io.sonde.spi;

import com.google.protobuf.ByteString;

/**
 * The part of a plug-in that runs in each core client (a driver, or a worker's client for its
 * nested tasks), found with {@link java.util.ServiceLoader}; one instance per client.
 *
 * <pre>
 *   start ─▶ (taskSubmitted | valueReceived | nodeMessage)* ─▶ close
 * </pre>
 */
public interface ClientPlugin {
    /** The plug-in's name, the same as its {@link NodePlugin}'s and {@link WorkerPlugin}'s. */
    String name();

    /** Called once when the client has registered with its node, on the thread that created the client. */
    void start(ClientContext context);

    /**
     * The client submits a task (or an actor call). Called on the submitting thread before the
     * task leaves; returns what to attach to it for this plug-in's {@link WorkerPlugin}, or null.
     * Must not block.
     */
    default ByteString taskSubmitted(String taskId) {
        return null;
    }

    /**
     * The caller's {@code get} received a value that a {@link WorkerPlugin} of this plug-in marked.
     * Called on the caller's thread before the value is decoded (or its failure thrown); may block
     * the caller, and may throw {@link io.sonde.TaskCancelledException}.
     *
     * @param objectId the ref's id
     * @param data     what the worker plug-in attached to the value
     */
    default void valueReceived(String objectId, ByteString data) {
    }

    /**
     * In a driver: {@code Sonde.breakpoint()} was called on this thread. Returns whether the plug-in
     * took the call (the debugger parks the thread until a debugger lets it go); may block the
     * caller. Not called in a worker's client: a worker's {@link WorkerPlugin#breakpoint} takes it.
     */
    default boolean breakpoint() {
        return false;
    }

    /** A message from this plug-in's {@link NodePlugin}. Called on a transport thread: must not block. */
    default void nodeMessage(ByteString payload) {
    }

    /** The client is closing. */
    default void close() {
    }
}
