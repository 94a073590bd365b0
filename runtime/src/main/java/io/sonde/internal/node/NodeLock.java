package io.sonde.internal.node;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The node's one lock: every part of the node is guarded by it. The node manager takes it for
 * each message from a client or a worker, each process exit and each read of its views. Work
 * under it never calls out into a peer (a send only enqueues), so no lock order spans the node and
 * its peers; slow work (reading /proc, log files) happens before or after it.
 *
 * <p>Thread-safe. Reentrant. Only a shutdown waits for it with a timeout ({@link #tryRead}).
 */
final class NodeLock {
    private final ReentrantLock lock = new ReentrantLock();

    /** Does a message's work under the lock. */
    void run(Runnable work) {
        lock.lock();
        try {
            work.run();
        } finally {
            lock.unlock();
        }
    }

    /** Reads the parts, or does work whose answer is sent after, under the lock. */
    <T> T read(Supplier<T> work) {
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    /**
     * As {@link #read}, unless the lock stays taken for longer than the timeout, or the wait is
     * interrupted (the interrupt is kept): empty then, and the work is not done.
     */
    <T> Optional<T> tryRead(long timeout, TimeUnit unit, Supplier<T> work) {
        try {
            if (!lock.tryLock(timeout, unit)) {
                return Optional.empty();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        try {
            return Optional.of(work.get());
        } finally {
            lock.unlock();
        }
    }
}
