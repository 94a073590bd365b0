package io.sonde.cli.bench;

import io.sonde.InitOptions;
import io.sonde.Sonde;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
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

        /** Not measured on purpose ({@link Skipped}): not a failure. */
        public boolean skipped() {
            return failure instanceof Skipped;
        }
    }

    /** Runs only the metrics whose name contains one of these comma-separated words, as Ray's {@code TESTS_TO_RUN}. */
    public static final String FILTER_ENV = "SONDE_BENCH_FILTER";
    /** The same as {@link #FILTER_ENV}, as a system property; it wins over the variable. */
    public static final String FILTER_PROPERTY = "sonde.bench.filter";

    private final Plan plan;
    private final InitOptions cluster;
    private final List<Metric> all;
    private final List<Metric> metrics;
    private final List<String> filter;
    private final boolean joined;

    /**
     * Every metric of {@link CoreMetrics}, or those that {@link #FILTER_PROPERTY} or {@link #FILTER_ENV} select.
     *
     * @param joined the cluster is one {@code Sonde.init} joins by address: the metrics that need clusters
     *               of their own (all but {@link CoreMetrics#ON_JOINED_CLUSTER}) are skipped
     */
    public Microbenchmark(Plan plan, InitOptions cluster, boolean joined) {
        this(plan, cluster, CoreMetrics.all(cluster),
                filterWords(System.getProperty(FILTER_PROPERTY, System.getenv(FILTER_ENV))), joined);
    }

    /** These metrics, in this order, those whose name contains one of the filter's words (all if it has none). */
    Microbenchmark(Plan plan, InitOptions cluster, List<Metric> metrics, List<String> filter) {
        this(plan, cluster, metrics, filter, false);
    }

    private Microbenchmark(Plan plan, InitOptions cluster, List<Metric> metrics, List<String> filter, boolean joined) {
        this.joined = joined;
        this.plan = plan;
        this.cluster = cluster;
        this.filter = filter;
        this.all = metrics;
        this.metrics = metrics.stream().filter(m -> filter.isEmpty() || filter.stream().anyMatch(m.name()::contains))
                .toList();
    }

    static List<String> filterWords(String filter) {
        if (filter == null) {
            return List.of();
        }
        return Arrays.stream(filter.split(",")).map(String::strip).filter(w -> !w.isEmpty()).toList();
    }

    public List<Result> run(PrintWriter out) {
        if (Sonde.isInitialized()) {
            throw new IllegalStateException("Sonde is already initialized in this process; the microbenchmark needs"
                    + " a cluster of its own: call Sonde.shutdown() first");
        }
        if (!filter.isEmpty()) {
            out.println(metrics.isEmpty()
                    ? "No metric's name contains " + String.join(" or ", filter) + " (" + FILTER_ENV + "); the metrics are "
                            + String.join(", ", all.stream().map(Metric::name).toList())
                    : "Only the metrics whose name contains " + String.join(" or ", filter) + " (" + FILTER_ENV + "): "
                            + String.join(", ", metrics.stream().map(Metric::name).toList()));
            out.flush();
            if (metrics.isEmpty()) {
                return List.of();
            }
        }
        List<Result> results = new ArrayList<>();
        try {
            for (Metric m : metrics) {
                Result r;
                try {
                    if (joined && !CoreMetrics.ON_JOINED_CLUSTER.contains(m.name())) {
                        throw new Skipped("it starts clusters of its own or reads the embedded node; run without"
                                + " --address to measure it");
                    }
                    if (!Sonde.isInitialized()) {
                        Sonde.init(cluster); // first metric, or a failed cold start left none
                        AtRest.afterFirstTask();
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
        if (r.skipped()) {
            return m.name() + " skipped: " + r.failure().getMessage();
        }
        if (!r.ok()) {
            return m.name() + " FAILED: " + r.failure();
        }
        Measurement v = r.measurement();
        String text = m.name() + (m.perSecond() ? " per second " : " ") + number(v.mean()) + " +- " + number(v.stddev());
        if (!Double.isNaN(m.rayFigure())) {
            text += String.format(Locale.ROOT, "   (%.2fx Ray's %s)", v.mean() / m.rayFigure(), number(m.rayFigure()));
        }
        String note = m.note();
        if (!note.isEmpty()) {
            text += "   (" + note + ")";
        }
        if (!Double.isNaN(v.warmupSeconds())) {
            text += String.format(Locale.ROOT, "   (warm-up %.1f s)", v.warmupSeconds());
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

    static String number(double v) {
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
