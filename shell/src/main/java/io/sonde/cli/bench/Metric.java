package io.sonde.cli.bench;

/** One number the microbenchmark reports, named as in Ray's {@code ray microbenchmark} where Ray has it. */
public interface Metric {
    String name();

    /**
     * Rates print as "NAME per second", like Ray's; other metrics carry their unit in the name
     * ({@code _ms}, {@code _us}), and are the default.
     */
    default boolean perSecond() {
        return false;
    }

    /** Ray's published figure in the same unit, for the ratio printed beside ours; NaN (the default) where Ray has none. */
    default double rayFigure() {
        return Double.NaN;
    }

    /** Runs warm-up and timed rounds; the cluster is initialized when this is called. */
    Measurement measure(Plan plan) throws Exception;

    /**
     * Printed in parentheses after the figure: the metric's target, or what the last
     * {@link #measure} saw besides mean and stddev; empty for none.
     */
    default String note() {
        return "";
    }

    /** A metric that needs nothing but a body. */
    static Metric of(String name, boolean perSecond, double rayFigure, Body body) {
        return of(name, perSecond, rayFigure, () -> "", body);
    }

    /** A metric of a body, with a note its body fills in as it measures. */
    static Metric of(String name, boolean perSecond, double rayFigure, java.util.function.Supplier<String> note,
                     Body body) {
        return new Metric() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean perSecond() {
                return perSecond;
            }

            @Override
            public double rayFigure() {
                return rayFigure;
            }

            @Override
            public Measurement measure(Plan plan) throws Exception {
                return body.measure(plan);
            }

            @Override
            public String note() {
                return note.get();
            }
        };
    }

    interface Body {
        Measurement measure(Plan plan) throws Exception;
    }
}
