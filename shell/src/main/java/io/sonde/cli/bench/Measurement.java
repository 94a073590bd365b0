package io.sonde.cli.bench;

/**
 * The mean and sample standard deviation of a metric's timed rounds, and how long its warm-up
 * took when the warm-up waited for the JIT to settle (NaN otherwise).
 */
public record Measurement(double mean, double stddev, int rounds, double warmupSeconds) {
    public Measurement(double mean, double stddev, int rounds) {
        this(mean, stddev, rounds, Double.NaN);
    }

    /** The same figures, with the warm-up's length. */
    public Measurement withWarmup(double seconds) {
        return new Measurement(mean, stddev, rounds, seconds);
    }

    public static Measurement of(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        double mean = sum / values.length;
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        double stddev = values.length > 1 ? Math.sqrt(squares / (values.length - 1)) : 0;
        return new Measurement(mean, stddev, values.length);
    }
}
