package io.sonde.debugger.plugin;

import io.grpc.stub.StreamObserver;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The node's sending side of one JDWP tunnel to a debugger: {@link #onNext}, {@link #onCompleted}
 * and {@link #onError} may come from several threads (the plug-in's thread relays the worker's
 * packets, a gRPC thread ends a tunnel whose worker is unknown); they are delivered in order, by
 * one thread at a time, and never under a lock: a thread that finds another delivering leaves its
 * message to it and returns. The receiver must not block (a gRPC stream buffers; the in-process
 * tunnel queues). A delivery that throws (the debugger left) drops the rest; nothing is delivered
 * after the end.
 */
final class SerialSender<T> implements StreamObserver<T> {
    private final StreamObserver<T> delegate;
    private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean delivering = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile boolean broken;

    SerialSender(StreamObserver<T> delegate) {
        this.delegate = delegate;
    }

    @Override
    public void onNext(T message) {
        if (ended.get() || broken) {
            return;
        }
        enqueue(() -> {
            if (!broken) {
                try {
                    delegate.onNext(message);
                } catch (RuntimeException e) {
                    broken = true;
                }
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

    /** Whether the end was sent (or the receiver left). */
    boolean ended() {
        return ended.get() || broken;
    }

    private void end(Runnable last) {
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
                // the debugger already left
            }
        });
    }

    private void enqueue(Runnable delivery) {
        queue.add(delivery);
        while (delivering.compareAndSet(false, true)) {
            Runnable next;
            while ((next = queue.poll()) != null) {
                next.run();
            }
            delivering.set(false);
            if (queue.isEmpty()) {
                return; // else: enqueued by a thread that saw this one delivering
            }
        }
    }
}
