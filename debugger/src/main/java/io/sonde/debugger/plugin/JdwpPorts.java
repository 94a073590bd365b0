package io.sonde.debugger.plugin;

import io.sonde.debugger.WorkerAgent;

import java.util.OptionalInt;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Tells the node the port this worker's JDWP agent listens on. The agent is launched quiet with
 * {@code address=127.0.0.1:0}: it prints nothing, and listens on a new ephemeral port after each
 * debugger detaches (the worker's own agent connection included). A daemon thread reads the
 * agent's address from the VM's agent properties and reports each new port: often while a task
 * is parked and for a few seconds after (when debuggers come and go), seldom otherwise.
 *
 * <p>Only the watcher thread reports, so reports leave in the order the ports came. A stop reads
 * the port on the task's thread for its own report, and a report of the watcher that raced with
 * it is corrected by the next look, a few milliseconds later.
 */
final class JdwpPorts {
    private static final long HOT_NANOS = 20_000_000L;
    private static final long COLD_NANOS = 500_000_000L;
    private static final long HOT_AFTER_PARK_NANOS = 5_000_000_000L;

    private final IntConsumer report;
    private final Thread watcher = new Thread(this::watch, "sonde-jdwp-port");
    /** The last port reported; the watcher's own. */
    private int reported;
    /** The last port seen by anyone: what a stop lists while a debugger holds the agent. */
    private volatile int seen;
    private final java.util.concurrent.atomic.AtomicInteger parked = new java.util.concurrent.atomic.AtomicInteger();
    private volatile long hotUntil;
    private volatile boolean closed;

    JdwpPorts(IntConsumer report) {
        this.report = report;
        watcher.setDaemon(true);
    }

    void start() {
        watcher.start();
    }

    void close() {
        closed = true;
        LockSupport.unpark(watcher);
    }

    /** A task parks (true) or left its park (false): debuggers attach and detach meanwhile. */
    void parked(boolean in) {
        parked.addAndGet(in ? 1 : -1);
        hotUntil = System.nanoTime() + HOT_AFTER_PARK_NANOS;
        LockSupport.unpark(watcher);
    }

    /**
     * The port the agent listens on now, waiting a moment for it to listen again after a
     * connection closed; the last one reported if it does not (a debugger is still attached).
     */
    int listening() {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (true) {
            OptionalInt now = read();
            if (now.isPresent() || System.nanoTime() > deadline) {
                return seen;
            }
            LockSupport.parkNanos(5_000_000L);
        }
    }

    /** The agent's port now; empty while a debugger holds the agent, or if it cannot be read. */
    private OptionalInt read() {
        OptionalInt now;
        try {
            now = WorkerAgent.currentPort();
        } catch (IllegalStateException unreadable) {
            return OptionalInt.empty();
        }
        now.ifPresent(p -> seen = p);
        return now;
    }

    private void watch() {
        while (!closed) {
            OptionalInt now = read();
            if (now.isPresent() && now.getAsInt() != reported) {
                reported = now.getAsInt();
                report.accept(reported);
            }
            boolean hot = parked.get() > 0 || System.nanoTime() < hotUntil;
            LockSupport.parkNanos(hot ? HOT_NANOS : COLD_NANOS);
        }
    }
}
