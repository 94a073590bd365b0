package io.sonde.internal.node;

import java.util.ArrayList;
import java.util.List;
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
    /** Connections this thread sent to under the lock: delivered when it lets go of the lock. */
    private final ThreadLocal<List<SerialObserver<?>>> toFlush = ThreadLocal.withInitial(ArrayList::new);

    boolean isHeldByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }

    /** Delivers the connection's queued messages once this thread no longer holds the lock. */
    void flushOnRelease(SerialObserver<?> connection) {
        List<SerialObserver<?>> pending = toFlush.get();
        if (!pending.contains(connection)) { // a handful per message: a list beats a set
            pending.add(connection);
        }
    }

    private void unlock() {
        lock.unlock();
        if (lock.isHeldByCurrentThread()) {
            return;
        }
        List<SerialObserver<?>> pending = toFlush.get();
        while (!pending.isEmpty()) {
            // A delivery may take the lock again and send more: those land in the list anew.
            List<SerialObserver<?>> now = new ArrayList<>(pending);
            pending.clear();
            now.forEach(SerialObserver::flush);
        }
    }

    /** Does a message's work under the lock. */
    void run(Runnable work) {
        lock.lock();
        try {
            work.run();
        } finally {
            unlock();
        }
    }

    /** Reads the parts, or does work whose answer is sent after, under the lock. */
    <T> T read(Supplier<T> work) {
        lock.lock();
        try {
            return work.get();
        } finally {
            unlock();
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
            unlock();
        }
    }
}
