package io.sonde.shell.bench;

import io.sonde.InitOptions;
import io.sonde.Sonde;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs the metrics of {@link CoreMetrics} on a cluster of its own and prints one line per metric
 * in Ray's format ({@code NAME per second MEAN +- STDDEV}), so the output can be compared with
 * {@code ray microbenchmark} side by side. A metric that fails is reported and the rest still run.
 */
public final class Microbenchmark {
    /** A metric's outcome: a measurement, or why there is none. */
    public record Result(Metric metric, Measurement measurement, Exception failure) {
        public boolean ok() {
            return failure == null;
        }
    }

    private final Plan plan;
    private final InitOptions cluster;
    private final List<Metric> metrics;

    public Microbenchmark(Plan plan, InitOptions cluster) {
        this.plan = plan;
        this.cluster = cluster;
        this.metrics = CoreMetrics.all(cluster);
    }

    public List<Result> run(PrintWriter out) {
        if (Sonde.isInitialized()) {
            throw new IllegalStateException("Sonde is already initialized in this process; the microbenchmark needs"
                    + " a cluster of its own: call Sonde.shutdown() first");
        }
        List<Result> results = new ArrayList<>();
        try {
            for (Metric m : metrics) {
                Result r;
                try {
                    if (!Sonde.isInitialized()) {
                        Sonde.init(cluster); // first metric, or a failed cold start left none
                    }
                    r = new Result(m, m.measure(plan), null);
                } catch (Exception e) {
                    r = new Result(m, null, e);
                }
                results.add(r);
                out.println(line(r));
                out.flush();
            }
        } finally {
            Sonde.shutdown();
        }
        return results;
    }

    static String line(Result r) {
        Metric m = r.metric();
        if (!r.ok()) {
            return m.name() + " FAILED: " + r.failure();
        }
        Measurement v = r.measurement();
        String text = m.name() + (m.perSecond() ? " per second " : " ") + number(v.mean()) + " +- " + number(v.stddev());
        if (!Double.isNaN(m.rayFigure())) {
            text += String.format(Locale.ROOT, "   (%.2fx Ray's %s)", v.mean() / m.rayFigure(), number(m.rayFigure()));
        }
        return text;
    }

    /** One flat object, metric name to mean; failed metrics are left out. */
    public static String json(List<Result> results) {
        StringBuilder b = new StringBuilder("{");
        for (Result r : results) {
            if (!r.ok()) {
                continue;
            }
            double mean = r.measurement().mean();
            b.append(b.length() > 1 ? ",\n  " : "\n  ").append('"').append(r.metric().name()).append("\": ")
                    .append(Double.isFinite(mean) ? Double.toString(mean) : "null");
        }
        return b.append(b.length() > 1 ? "\n}\n" : "}\n").toString();
    }

    private static String number(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        double a = Math.abs(v);
        if (a >= 100 || a == 0) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, a >= 1 ? "%.2f" : "%.4f", v);
    }
}
