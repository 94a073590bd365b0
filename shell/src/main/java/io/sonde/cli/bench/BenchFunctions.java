package io.sonde.cli.bench;

import io.sonde.Sonde;

import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the benchmarked tasks and actor calls run: as little as possible, so that the numbers are
 * Sonde's overhead. Static and capture-free, so workers cache the deserialized function.
 */
final class BenchFunctions {
    private BenchFunctions() {
    }

    static Integer small() {
        return 0;
    }

    /** The pid of the worker that runs it. */
    static Long workerPid() {
        return ProcessHandle.current().pid();
    }

    /** Allocates and keeps 8 MiB every 20 ms, touching each page, until its worker is killed. */
    static Integer allocateUntilKilled() throws InterruptedException {
        java.util.List<byte[]> kept = new java.util.ArrayList<>();
        while (true) {
            byte[] chunk = new byte[8 << 20];
            java.util.Arrays.fill(chunk, (byte) 1);
            kept.add(chunk);
            Thread.sleep(20);
        }
    }

    /** Kills its own worker on the first attempt (as a crash would); the retry returns 0. */
    static Integer haltOnFirstAttempt() {
        if (Sonde.context().attemptNumber() == 0) {
            Runtime.getRuntime().halt(1);
        }
        return 0;
    }

    /**
     * Parks at a breakpoint; once a debugger lets it go, returns the wall-clock time, in
     * microseconds since the epoch ({@link #wallMicros()}), at which it called
     * {@code Sonde.breakpoint()}.
     */
    static long parkedAt() {
        long calledAt = wallMicros();
        Sonde.breakpoint();
        return calledAt;
    }

    /** Parks at a breakpoint with a local list and a local int, for the debugger's expressions. */
    static int parkedWithList(int n) {
        List<Integer> list = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            list.add(i);
        }
        int x = n;
        Sonde.breakpoint();
        return x + list.size();
    }

    /**
     * Parks at a breakpoint, then runs a loop far longer than any number of {@code next}s a
     * debugger takes in its body; the debugger lets it go before the loop ends.
     */
    static long parkedLoop(int n) {
        long sum = 0;
        Sonde.breakpoint();
        for (int i = 0; i < n; i++) {
            sum += i;
        }
        return sum;
    }

    /**
     * Wall-clock time in microseconds since the epoch. Unlike {@code System.nanoTime()}, whose
     * origin is per JVM, the wall clock is the operating system's one clock for every process of
     * the machine, so a time taken in a worker can be compared with one taken in the driver
     * (same machine only). Resolution: microseconds where the OS offers them (Linux), else ms.
     */
    static long wallMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** The actor of the 1:1 actor-call metrics. */
    /**
     * A client of its own: submits {@code n} small tasks from its worker, then gets them all (Ray's
     * {@code small_value_batch} of {@code multi_client_tasks_async}).
     */
    static final class TaskClient implements Serializable {
        private static final long serialVersionUID = 1L;

        Integer smallBatch(Integer n) {
            java.util.List<io.sonde.ObjectRef<Integer>> refs = new java.util.ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                refs.add(Sonde.task(BenchFunctions::small).remote());
            }
            Sonde.get(refs);
            return n;
        }
    }

    static final class Echo implements Serializable {
        private static final long serialVersionUID = 1L;

        Integer small() {
            return 0;
        }
    }
}
