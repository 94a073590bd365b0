package io.sonde.internal.node;

import io.grpc.stub.StreamObserver;
import io.sonde.internal.proto.NodeMessage;

/**
 * A connected core client: a driver (one per job) or a worker's client for nested tasks.
 * Sends are serialized; a failed send marks the session closed instead of throwing, because the
 * node manager must not fail for a departed client.
 */
final class ClientSession {
    final String clientId;
    final StreamObserver<NodeMessage> out;
    String jobId = "";
    boolean driver;
    String workerId = "";
    volatile boolean closed;

    ClientSession(String clientId, StreamObserver<NodeMessage> out) {
        this.clientId = clientId;
        this.out = out;
    }

    void send(NodeMessage m) {
        if (closed) {
            return;
        }
        synchronized (this) {
            try {
                out.onNext(m);
            } catch (RuntimeException e) {
                closed = true;
            }
        }
    }

    void complete() {
        synchronized (this) {
            if (!closed) {
                closed = true;
                try {
                    out.onCompleted();
                } catch (RuntimeException ignored) {
                    // the client already left
                }
            }
        }
    }
}
