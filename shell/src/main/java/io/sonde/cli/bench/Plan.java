package io.sonde.cli.bench;

import java.time.Duration;

/**
 * How long and how big the microbenchmark runs. {@link #full()} keeps the whole run under a
 * minute on two cores; {@link #quick()} only proves that every metric runs.
 *
 * @param warmup           how long each metric runs first, unmeasured (JIT, worker start-up, connections)
 * @param round            target duration of one timed round; a round repeats its batch until then
 * @param timedRounds      rounds whose mean and standard deviation are reported
 * @param batch            operations per batch: tasks or calls submitted before getting them all
 * @param largeBytes       size of the byte[] of the gigabytes metrics (put, get, spill, memcpy)
 * @param largePerRound    puts or gets of {@code largeBytes} per round at most: a put's object stays in
 *                         the store until the garbage collector collects its ref, so this bounds memory
 * @param spillStoreBytes  the object store of spill_gigabytes's cluster: smaller than {@code spillBytes}
 * @param spillBytes       what each round of spill_gigabytes puts, keeping the refs
 * @param coldStartRounds  fresh clusters started for worker_cold_start_ms
 * @param settleLimit      how much longer than {@code warmup} a rate's warm-up may go on while the
 *                         JIT compilers of the driver and its workers are still busy (zero: never)
 */
public record Plan(Duration warmup, Duration round, int timedRounds, int batch, int largeBytes, int largePerRound,
                   long spillStoreBytes, long spillBytes, int coldStartRounds, Duration settleLimit) {
    private static final int MIB = 1024 * 1024;
    /** The JIT compilers' share of one core below which a rate's warm-up counts as settled. */
    public static final double SETTLED_JIT_SHARE = 0.10;

    public static Plan full() {
        // 100 MiB as in Ray's put and get benchmarks (numpy arrays there), smaller on small heaps.
        int large = (int) Math.min(100L * MIB, Runtime.getRuntime().maxMemory() / 32);
        // spill_gigabytes: 2 GiB of puts into a 512 MiB store (scaled with the objects on small heaps)
        // 5 s of warm-up: the driver and a fresh worker JVM need seconds of calls before their JIT
        // reaches steady state (1.5 s measured a third of the steady task rate).
        // and then up to 25 s more until the compilers settle: a fresh actor's calls took 15-20 s
        return new Plan(Duration.ofMillis(5000), Duration.ofMillis(1000), 4, 1000, large, 10, 5L * large + 12L * MIB,
                20L * large, 3, Duration.ofSeconds(25));
    }

    public static Plan quick() {
        return new Plan(Duration.ofMillis(30), Duration.ofMillis(30), 2, 10, MIB, 1, 4L * MIB, 12L * MIB, 1, Duration.ZERO);
    }

    /** The same plan with another warm-up. */
    public Plan withWarmup(Duration warmup) {
        return new Plan(warmup, round, timedRounds, batch, largeBytes, largePerRound, spillStoreBytes, spillBytes,
                coldStartRounds, settleLimit);
    }
}
