package io.sonde;

import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Optional;

/**
 * Watches this JVM for a Java-level deadlock while a test runs: a daemon thread asks
 * {@link ThreadMXBean#findDeadlockedThreads()} (monitors and {@code java.util.concurrent} locks)
 * every period, and keeps the first hit with a dump of every thread, stacks and locks in full.
 *
 * <p>Lifecycle: polls from construction until {@link #close()}. Thread-safe: the test's threads
 * call {@link #check()} while they wait, so that a deadlock fails the test at once instead of after
 * its timeouts.
 */
final class DeadlockWatchdog implements AutoCloseable {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final Thread poller;
    private volatile String found;

    DeadlockWatchdog(Duration period) {
        poller = new Thread(() -> poll(period), "deadlock-watchdog");
        poller.setDaemon(true);
        poller.start();
    }

    private void poll(Duration period) {
        while (!Thread.currentThread().isInterrupted()) {
            long[] ids = THREADS.findDeadlockedThreads();
            if (ids != null && found == null) {
                StringBuilder s = new StringBuilder("Java-level deadlock between ").append(ids.length).append(" threads:\n");
                for (ThreadInfo t : THREADS.getThreadInfo(ids, true, true)) {
                    if (t != null) {
                        s.append("  \"").append(t.getThreadName()).append("\" waits for ").append(t.getLockName())
                                .append(" held by \"").append(t.getLockOwnerName()).append("\"\n");
                    }
                }
                found = s.append('\n').append(dumpAllThreads()).toString();
                return;
            }
            try {
                Thread.sleep(period.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The deadlock found so far, with the thread dump taken when it was found. */
    Optional<String> deadlock() {
        return Optional.ofNullable(found);
    }

    /** Fails with the deadlock and the thread dump, if one was found. */
    void check() {
        String d = found;
        if (d != null) {
            throw new AssertionError(d);
        }
    }

    @Override
    public void close() {
        poller.interrupt();
    }

    /**
     * Every thread with its whole stack, the monitors it holds at each frame and the
     * synchronizers it owns: {@link ThreadInfo#toString()} stops at eight frames, too few to see
     * both ends of a lock cycle.
     */
    static String dumpAllThreads() {
        StringBuilder s = new StringBuilder();
        for (ThreadInfo t : THREADS.dumpAllThreads(true, true)) {
            s.append('"').append(t.getThreadName()).append("\" id=").append(t.getThreadId())
                    .append(t.isDaemon() ? " daemon " : " ").append(t.getThreadState());
            if (t.getLockName() != null) {
                s.append(" on ").append(t.getLockName());
            }
            if (t.getLockOwnerName() != null) {
                s.append(" owned by \"").append(t.getLockOwnerName()).append("\" id=").append(t.getLockOwnerId());
            }
            s.append('\n');
            StackTraceElement[] frames = t.getStackTrace();
            for (int i = 0; i < frames.length; i++) {
                s.append("\tat ").append(frames[i]).append('\n');
                if (i == 0 && t.getLockInfo() != null) {
                    s.append("\t-  waiting on ").append(t.getLockInfo()).append('\n');
                }
                for (MonitorInfo m : t.getLockedMonitors()) {
                    if (m.getLockedStackDepth() == i) {
                        s.append("\t-  locked ").append(m).append('\n');
                    }
                }
            }
            LockInfo[] owned = t.getLockedSynchronizers();
            if (owned.length > 0) {
                s.append("\tOwned synchronizers:\n");
                for (LockInfo l : owned) {
                    s.append("\t-  ").append(l).append('\n');
                }
            }
            s.append('\n');
        }
        return s.toString();
    }
}
