package io.sonde.internal.node;

import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.stub.StreamObserver;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The node's sending side of one connection (a client session or a worker's command stream):
 * {@link #onNext}, {@link #onCompleted} and {@link #onError} only enqueue, and the connection's own
 * serial executor delivers in order, on a thread of the node's send pool.
 *
 * <p>Why: the node sends while it holds its lock, and the receiving end may take locks of its own
 * or call back into the node (an embedded driver's client answers a worker's class request inside
 * {@code onNext}). Delivering on the caller's thread took the node's lock and then the receiver's,
 * while the receiver took them in the opposite order: a deadlock. Now the node never calls out of
 * its lock.
 *
 * <p>Thread-safe. Order is kept per connection. A delivery that throws marks the connection broken:
 * the peer left, later messages are dropped instead of failing the node. Messages sent after
 * completion are dropped.
 */
final class SerialObserver<T> implements StreamObserver<T> {
    private final StreamObserver<T> delegate;
    private final Executor serial;
    /** Completed or failed by the node: nothing more is enqueued. */
    private volatile boolean ended;
    /** A delivery failed: the peer left, nothing more is delivered. */
    private volatile boolean broken;

    SerialObserver(StreamObserver<T> delegate, Executor pool) {
        this.delegate = delegate;
        this.serial = MoreExecutors.newSequentialExecutor(pool);
    }

    @Override
    public void onNext(T message) {
        if (ended || broken) {
            return;
        }
        enqueue(() -> {
            if (broken) {
                return;
            }
            try {
                delegate.onNext(message);
            } catch (RuntimeException e) {
                broken = true;
            }
        });
    }

    @Override
    public void onCompleted() {
        end(delegate::onCompleted);
    }

    @Override
    public void onError(Throwable t) {
        end(() -> delegate.onError(t));
    }

    private void end(Runnable last) {
        if (ended) {
            return;
        }
        ended = true;
        enqueue(() -> {
            if (broken) {
                return;
            }
            broken = true;
            try {
                last.run();
            } catch (RuntimeException ignored) {
                // the peer already left
            }
        });
    }

    private void enqueue(Runnable delivery) {
        try {
            serial.execute(delivery);
        } catch (RejectedExecutionException e) {
            // the node has shut down its send pool: it has nobody left to talk to
            broken = true;
        }
    }
}
