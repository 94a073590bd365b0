package io.sonde.cli.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * Timing shared by the metrics: a round repeats a batch until the plan's round time has passed
 * (or a batch limit is hit), so that one plan suits fast and slow operations alike and a slow
 * machine takes no longer than a fast one. A warm-up of the same kind comes first: on two cores
 * the driver's and the workers' JIT take seconds to settle, and early rounds would only measure that.
 */
final class Rounds {
    /** Runs some operations and says how many units (operations, gigabytes) it did. */
    interface Batch {
        double run() throws Exception;
    }

    private static final long SETTLE_ROUND_NANOS = 1_000_000_000L;

    private Rounds() {
    }

    /** Units per second. */
    static Measurement perSecond(Plan plan, Batch batch) throws Exception {
        return perSecond(plan, Integer.MAX_VALUE, batch);
    }

    static Measurement perSecond(Plan plan, int maxBatchesPerRound, Batch batch) throws Exception {
        return measure(plan, maxBatchesPerRound, batch, false, 1);
    }

    /** Time per unit, in seconds times {@code scale} (1e6 for microseconds). */
    static Measurement timePerUnit(Plan plan, double scale, Batch batch) throws Exception {
        return measure(plan, Integer.MAX_VALUE, batch, true, scale);
    }

    private static Measurement measure(Plan plan, int maxBatches, Batch batch, boolean inverse, double scale)
            throws Exception {
        long warmupStart = System.nanoTime();
        round(plan.warmup().toNanos(), maxBatches, batch);
        settle(plan, maxBatches, batch);
        double warmupSeconds = (System.nanoTime() - warmupStart) / 1e9;
        double[] values = new double[plan.timedRounds()];
        for (int i = 0; i < values.length; i++) {
            double[] unitsAndSeconds = round(plan.round().toNanos(), maxBatches, batch);
            double rate = unitsAndSeconds[0] / unitsAndSeconds[1];
            values[i] = inverse ? scale / rate : rate;
        }
        Measurement m = Measurement.of(values);
        return plan.settleLimit().isZero() ? m : m.withWarmup(warmupSeconds);
    }

    /**
     * Goes on warming up, a second at a time, while the JIT compilers of the driver and its workers
     * used more than {@link Plan#SETTLED_JIT_SHARE} of a core in the last second, up to the plan's
     * settle limit: what follows is measured with the compilers at rest.
     */
    private static void settle(Plan plan, int maxBatches, Batch batch) throws Exception {
        long limit = plan.settleLimit().toNanos();
        long start = System.nanoTime();
        while (System.nanoTime() - start < limit) {
            OptionalLong before = JitActivity.compilerCpuNanos();
            long t0 = System.nanoTime();
            round(SETTLE_ROUND_NANOS, maxBatches, batch);
            OptionalLong after = JitActivity.compilerCpuNanos();
            if (before.isEmpty() || after.isEmpty()
                    || (after.getAsLong() - before.getAsLong()) < Plan.SETTLED_JIT_SHARE * (System.nanoTime() - t0)) {
                return;
            }
        }
    }

    /** One repetition of an operation whose latency is measured: its samples, in milliseconds. */
    interface Repetition {
        double[] run() throws Exception;
    }

    /**
     * Latencies of the timed rounds, and each single sample.
     *
     * @param measurement mean and standard deviation over the rounds of each round's mean sample
     * @param samples     every sample of the timed rounds
     */
    record Latencies(Measurement measurement, double[] samples) {
        double min() {
            return Arrays.stream(samples).min().orElse(Double.NaN);
        }

        double max() {
            return Arrays.stream(samples).max().orElse(Double.NaN);
        }
    }

    /**
     * For operations that take milliseconds to seconds (attaching a debugger): the warm-up and
     * each timed round repeat the operation until their time has passed, and at least once. A
     * round's value is the mean of its samples, so that the figure has the same meaning as the
     * other metrics' (mean +- stddev over the rounds); {@link Latencies} keeps the samples too.
     */
    static Latencies latency(Plan plan, Repetition repetition) throws Exception {
        long start = System.nanoTime();
        do {
            repetition.run();
        } while (System.nanoTime() - start < plan.warmup().toNanos());
        double[] means = new double[plan.timedRounds()];
        List<Double> all = new ArrayList<>();
        for (int i = 0; i < means.length; i++) {
            double sum = 0;
            int n = 0;
            start = System.nanoTime();
            do {
                for (double v : repetition.run()) {
                    sum += v;
                    n++;
                    all.add(v);
                }
            } while (System.nanoTime() - start < plan.round().toNanos() || n == 0);
            means[i] = sum / n;
        }
        return new Latencies(Measurement.of(means), all.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static double[] round(long budget, int maxBatches, Batch batch) throws Exception {
        long start = System.nanoTime();
        long elapsed;
        double units = 0;
        int batches = 0;
        do {
            units += batch.run();
            batches++;
            elapsed = System.nanoTime() - start;
        } while (elapsed < budget && batches < maxBatches);
        return new double[] {units, elapsed / 1e9};
    }
}
