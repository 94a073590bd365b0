package io.sonde.cli.bench;

import io.sonde.GetTimeoutException;
import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.debugger.DebugSession;
import io.sonde.debugger.plugin.DebugClientPlugin;
import io.sonde.debugger.plugin.DebugNodePlugin;
import io.sonde.debugger.proto.BreakpointInfo;
import io.sonde.tooling.DriverClient;
import io.sonde.tooling.HostedNode;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A benchmark task parked at {@code Sonde.breakpoint()}, as the debugger metrics use it: submitted
 * under a name of its own, its breakpoint notice awaited at the driver, looked up in the node's
 * list as {@code sonde debug} would, and let go at the end. {@link #close()} cancels a task that
 * was not let go (a metric that failed half-way), so nothing stays parked.
 */
final class ParkedTask<T> implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final AtomicLong SEQUENCE = new AtomicLong();

    /** A breakpoint notice as the driver received it, and when (wall clock, µs). */
    record Notice(BreakpointInfo info, long receivedMicros) {
    }

    /**
     * The driver's breakpoint notices, by task name. Installing it replaces the driver's own
     * listener, which only prints the "breakpoint at ..." line when the cluster relays logs to the
     * driver; the benchmark's cluster does not ({@code logToDriver(false)}), so nothing is lost.
     */
    static final class Notices {
        private final ConcurrentMap<String, CompletableFuture<Notice>> byName = new ConcurrentHashMap<>();

        static Notices install() {
            Notices n = new Notices();
            DebugClientPlugin.of(DriverClient.current()).orElseThrow(() -> new IllegalStateException(
                    "the driver has no debugger: sonde-debugger is not on its classpath")).setBreakpointListener(n::onNotice);
            return n;
        }

        /** On the transport thread: take the time first, then hand over without blocking. */
        private void onNotice(BreakpointInfo b) {
            long at = BenchFunctions.wallMicros();
            expect(b.getTaskName()).complete(new Notice(b, at));
        }

        private CompletableFuture<Notice> expect(String taskName) {
            return byName.computeIfAbsent(taskName, k -> new CompletableFuture<>());
        }

        private void forget(String taskName) {
            byName.remove(taskName);
        }
    }

    private final Notices notices;
    private final String name;
    private final ObjectRef<T> ref;
    private Notice notice;
    private boolean letGo;

    private ParkedTask(Notices notices, String name, ObjectRef<T> ref) {
        this.notices = notices;
        this.name = name;
        this.ref = ref;
    }

    /**
     * Fails with a clear message where the node's own settings say that workers start without
     * the JDWP agent: {@code -Dsonde.debugger} or {@code SONDE_DEBUGGER} set to off (the rule of
     * the node's worker launcher). Only an embedded node's settings can be read here; on a remote
     * cluster {@link #submit} finds out when the task does not park.
     */
    static void requireDebugger(String metric) {
        if (HostedNode.embedded().isPresent() && debuggerOffHere()) {
            throw new IllegalStateException(metric + ": the debugger is off (" + debuggerSetting() + "): workers start"
                    + " without the JDWP agent and Sonde.breakpoint() does not park, so there is nothing to measure."
                    + " Unset it to measure the debugger.");
        }
    }

    /** Whether this JVM's settings turn the JDWP agent off for the workers an embedded node starts. */
    static boolean debuggerOffHere() {
        String v = System.getProperty("sonde.debugger", System.getenv("SONDE_DEBUGGER"));
        return v != null && (v.equalsIgnoreCase("off") || v.equalsIgnoreCase("false") || v.equals("0"));
    }

    static String debuggerSetting() {
        String p = System.getProperty("sonde.debugger");
        return p != null ? "-Dsonde.debugger=" + p : "SONDE_DEBUGGER=" + System.getenv("SONDE_DEBUGGER");
    }

    /**
     * Submits a task (named {@code prefix-N}) that calls {@code Sonde.breakpoint()} and waits for
     * its notice at the driver. Fails if the task returns without parking (the debugger is off
     * where it runs) or no notice comes within {@link #TIMEOUT}; the task is cancelled then.
     */
    static <T> ParkedTask<T> submit(Notices notices, String prefix, Function<String, ObjectRef<T>> submit) {
        String name = prefix + "-" + SEQUENCE.incrementAndGet();
        CompletableFuture<Notice> expected = notices.expect(name);
        ParkedTask<T> p = new ParkedTask<>(notices, name, submit.apply(name));
        try {
            p.notice = p.awaitNotice(expected);
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    private Notice awaitNotice(CompletableFuture<Notice> expected) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try {
                return expected.get(20, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // not yet: has the task returned without parking?
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the breakpoint of " + name);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
            if (!Sonde.wait(List.of(ref), 1, Duration.ZERO).ready().isEmpty()) {
                letGo = true; // it is not parked: nothing to let go
                throw new IllegalStateException("Task " + name + " returned without parking at Sonde.breakpoint():"
                        + " the debugger is off for this cluster (sonde.debugger=off or SONDE_DEBUGGER=off where"
                        + " its node runs), so workers have no JDWP agent and there is nothing to measure.");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("No breakpoint notice for task " + name + " within "
                        + TIMEOUT.toSeconds() + " s");
            }
        }
    }

    Notice notice() {
        return notice;
    }

    /**
     * The breakpoint as {@code sonde debug} lists it: from the embedded node's list, else as the
     * notice carried it.
     */
    BreakpointInfo listed() {
        HostedNode node = HostedNode.embedded().orElse(null);
        if (node == null) {
            return notice.info();
        }
        return find(node, notice.info().getTaskId())
                .orElseThrow(() -> new IllegalStateException("Task " + name + " sent its breakpoint notice but is"
                        + " not in the node's list of breakpoints"));
    }

    /** Where a debugger lists the stops and reaches the workers: the embedded node. */
    static io.sonde.debugger.BreakpointSource source() {
        return io.sonde.debugger.BreakpointSource.local(HostedNode.embedded().orElseThrow(() ->
                new IllegalStateException("the debugger metrics need the cluster that sonde microbenchmark starts")));
    }

    /**
     * Lets the task go through the session (continue), waits for its result, and checks that
     * the node no longer lists its breakpoint.
     */
    T letGo(DebugSession session) {
        session.resume();
        letGo = true;
        T value;
        try {
            value = Sonde.get(ref, TIMEOUT);
        } catch (GetTimeoutException e) {
            throw new IllegalStateException("Task " + name + " did not return within " + TIMEOUT.toSeconds()
                    + " s after the debugger let it go", e);
        }
        HostedNode node = HostedNode.embedded().orElse(null);
        if (node != null) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (find(node, notice.info().getTaskId()).isPresent()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Task " + name + " returned but the node still lists its breakpoint");
                }
                sleep(10);
            }
        }
        return value;
    }

    private static Optional<BreakpointInfo> find(HostedNode node, String taskId) {
        return DebugNodePlugin.of(node).listBreakpoints().stream()
                .filter(b -> b.getTaskId().equals(taskId)).findFirst();
    }

    /** Cancels the task if it was not let go: cancelling ends the wait at the breakpoint. */
    @Override
    public void close() {
        notices.forget(name);
        if (!letGo) {
            letGo = true;
            Sonde.cancel(ref);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }
}
