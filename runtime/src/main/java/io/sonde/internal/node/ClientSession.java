package io.sonde.internal.node;

import io.grpc.stub.StreamObserver;
import io.sonde.proto.NodeMessage;

import java.util.concurrent.Executor;

/**
 * A connected core client: a driver (one per job) or a worker's client for nested tasks.
 *
 * <p>{@link #send} and {@link #complete} only enqueue: the messages are delivered in order, never
 * while the delivering thread holds the node's lock, so the node may send while it holds its lock
 * (see {@link SerialObserver}). A failed delivery marks the session closed instead of
 * throwing, because the node manager must not fail for a departed client. The other fields are
 * set at registration, under the node's lock.
 */
final class ClientSession {
    final String clientId;
    private final SerialObserver<NodeMessage> out;
    String jobId = "";
    boolean driver;
    String workerId = "";
    /** The namespace of its job: where {@code Sonde.getActor(name)} looks and its actors are named. */
    String namespace = "";
    /**
     * The client's process: a driver's as it said at registration, a worker's as the node launched
     * it. For messages that name the process; 0 when unknown.
     */
    long pid;

    ClientSession(String clientId, StreamObserver<NodeMessage> out, NodeLock lock, Executor sendPool) {
        this.clientId = clientId;
        this.out = new SerialObserver<>(out, lock, sendPool);
    }

    /** Normal tasks of this client the node has that have not ended; under the node's lock. */
    private int liveTasks;
    /** Of those, the ones that ended since the client was last told; under the node's lock. */
    private int endedUntold;
    /** The client is told of its ended tasks in batches of this many, when none is left, or at the first end this long after the last telling. */
    static final int ENDED_BATCH = 64;
    static final long ENDED_DELAY_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(5);
    private long lastToldNanos;

    /** The node took one of its normal tasks; under the node's lock. */
    void taskSubmitted() {
        liveTasks++;
    }

    /**
     * One of its normal tasks ended: the client, which keeps a bounded number of tasks at the
     * node, is told in batches (see {@code TasksEnded}). Under the node's lock; only enqueues.
     */
    void taskEnded() {
        liveTasks--;
        endedUntold++;
        long now = System.nanoTime();
        if (endedUntold >= ENDED_BATCH || liveTasks <= 0 || now - lastToldNanos > ENDED_DELAY_NANOS) {
            send(NodeMessage.newBuilder().setTasksEnded(io.sonde.proto.TasksEnded.newBuilder().setCount(endedUntold)).build());
            endedUntold = 0;
            lastToldNanos = now;
        }
    }

    void send(NodeMessage m) {
        out.onNext(m);
    }

    /** Ends the stream after the messages sent so far. */
    void complete() {
        out.onCompleted();
    }
}
