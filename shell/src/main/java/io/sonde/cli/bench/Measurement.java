package io.sonde.cli.bench;

/** The mean and sample standard deviation of a metric's timed rounds. */
public record Measurement(double mean, double stddev, int rounds) {
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
