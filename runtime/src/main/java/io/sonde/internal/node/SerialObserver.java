package io.sonde.internal.node;

import io.grpc.stub.CallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.sonde.internal.NonBlockingObserver;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The node's sending side of one connection (a client session or a worker's command stream):
 * {@link #onNext}, {@link #onCompleted} and {@link #onError} only enqueue; the messages are
 * delivered in order, one delivering thread at a time, never while the delivering thread holds the
 * node's lock.
 *
 * <p>Why: the node sends while it holds its lock, and the receiving end may take locks of its own
 * or call back into the node (an embedded driver's client answers a worker's class request inside
 * {@code onNext}). Delivering under the lock took the node's lock and then the receiver's, while
 * the receiver took them in the opposite order: a deadlock. So a message enqueued under the lock
 * is delivered by the same thread right after it lets go of the lock ({@link NodeLock} calls
 * {@link #flush}); one enqueued outside the lock is delivered at once. Whichever thread finds the
 * connection idle delivers; a thread that finds another one delivering leaves its message to it and
 * returns without waiting, so delivery never waits on a lock order. Delivering on the thread that
 * sent spares a thread handoff per message; a thread that has
 * delivered {@value #INLINE_BUDGET} messages in a row hands the rest of the queue to the node's send
 * pool, so no sender is kept for long delivering the messages of others.
 *
 * <p>Only a receiver that never blocks is delivered to on the sending thread: a gRPC stream (its
 * {@code onNext} buffers) or a {@link NonBlockingObserver} (an embedded driver's client), so no
 * sender waits for a slow peer. Any other in-process receiver may block in {@code onNext}, so its
 * messages are always delivered on a thread of the send pool.
 *
 * <p>Thread-safe. Order is kept per connection. A delivery that throws marks the connection broken:
 * the peer left, later messages are dropped instead of failing the node. Messages sent after
 * completion are dropped.
 */
final class SerialObserver<T> implements StreamObserver<T> {
    static final int INLINE_BUDGET = 64;

    private final StreamObserver<T> delegate;
    private final NodeLock lock;
    private final Executor pool;
    /** Delivered on the sending thread: the receiver never blocks (a gRPC stream, a {@link NonBlockingObserver}). */
    private final boolean inline;
    private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
    /** A thread is delivering this connection's queue. */
    private final AtomicBoolean delivering = new AtomicBoolean();
    /** Completed or failed by the node: nothing more is enqueued. */
    private final AtomicBoolean ended = new AtomicBoolean();
    /** A delivery failed: the peer left, nothing more is delivered. */
    private volatile boolean broken;

    SerialObserver(StreamObserver<T> delegate, NodeLock lock, Executor pool) {
        this.delegate = delegate;
        this.lock = lock;
        this.pool = pool;
        this.inline = delegate instanceof CallStreamObserver || delegate instanceof NonBlockingObserver;
    }

    @Override
    public void onNext(T message) {
        if (ended.get() || broken) {
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
        // no monitor here: the delivery below may run on this thread, into the peer's code
        if (!ended.compareAndSet(false, true)) {
            return;
        }
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
        queue.add(delivery);
        if (!inline) {
            if (delivering.compareAndSet(false, true) && !handOff()) {
                // the node has shut down its send pool: it has nobody left to talk to
                broken = true;
                queue.clear();
                delivering.set(false);
            }
            return;
        }
        if (lock.isHeldByCurrentThread()) {
            lock.flushOnRelease(this);
        } else {
            flush();
        }
    }

    /**
     * Delivers what is queued on this thread, unless another thread is delivering already (it
     * takes these too). Called only by a thread that does not hold the node's lock.
     */
    void flush() {
        if (delivering.compareAndSet(false, true)) {
            deliver(INLINE_BUDGET);
        }
    }

    /** Delivers the queue; the caller has set {@link #delivering}. */
    private void deliver(int budget) {
        int left = budget;
        while (true) {
            Runnable next;
            while ((next = queue.poll()) != null) {
                next.run();
                if (--left == 0 && !queue.isEmpty()) {
                    if (handOff()) {
                        return;
                    }
                    left = budget; // the send pool has shut down: this thread delivers the rest
                }
            }
            delivering.set(false);
            // A message enqueued after the last poll, by a thread that saw this one delivering.
            if (queue.isEmpty() || !delivering.compareAndSet(false, true)) {
                return;
            }
        }
    }

    private boolean handOff() {
        try {
            pool.execute(() -> deliver(Integer.MAX_VALUE));
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }
}
