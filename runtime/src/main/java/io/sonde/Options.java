package io.sonde;

import java.util.List;

/** Checks of option values shared by the fluent callers; messages name the option and the fix. */
final class Options {
    private Options() {
    }

    static String name(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a name must not be empty; leave the option out to use the default name");
        }
        return name;
    }

    static int retries(String option, int value) {
        if (value < -1) {
            throw new IllegalArgumentException(option + " must be -1 (forever), 0 (never) or positive, got " + value);
        }
        return value;
    }

    /**
     * A resource amount (CPUs, a custom resource): 0 or more, finite, and a whole number of
     * ten-thousandths, the unit the scheduler counts in (as Ray's).
     */
    static double quantity(String option, double value) {
        nonNegative(option, value);
        if (Double.isInfinite(value)) {
            throw new IllegalArgumentException(option + " must be a finite amount, got " + value);
        }
        double units = value * 10_000;
        if (Math.abs(units - Math.rint(units)) > 1e-6 * Math.max(1, units)) {
            throw new IllegalArgumentException(option + " must be a multiple of 0.0001 (resources are counted in"
                    + " ten-thousandths, as Ray counts them), got " + value + "; round it, e.g. to "
                    + Math.rint(units) / 10_000);
        }
        return value;
    }

    static double nonNegative(String option, double value) {
        if (value < 0 || Double.isNaN(value)) {
            throw new IllegalArgumentException(option + " must be 0 or more, got " + value);
        }
        return value;
    }

    /** What Sonde sets itself on a worker's command line: a task's or actor's options may not. */
    private static final List<String> SONDE_SETS = List.of("-cp", "-classpath", "--class-path", "-jar",
            "-XX:ErrorFile");

    /**
     * JVM options of a task's or an actor's worker: each a single option as the {@code java}
     * command takes it, none that Sonde sets itself.
     */
    static List<String> jvmOptions(String... options) {
        java.util.Objects.requireNonNull(options, "jvmOptions");
        for (String o : options) {
            if (o == null || o.isBlank()) {
                throw new IllegalArgumentException("jvmOptions got " + (o == null ? "null" : "an empty string")
                        + "; give each JVM option as one non-empty string, e.g. jvmOptions(\"-Xmx2g\")");
            }
            if (!o.startsWith("-") || !o.strip().equals(o)) {
                throw new IllegalArgumentException("jvmOptions got '" + o + "', which is not one JVM option: give"
                        + " each option as its own string starting with '-', e.g. jvmOptions(\"-Xmx2g\", \"-Dk=v\")");
            }
            for (String own : SONDE_SETS) {
                if (o.equals(own) || o.startsWith(own + "=") || o.startsWith(own + ":")) {
                    throw new IllegalArgumentException("jvmOptions got '" + o + "', which Sonde sets itself on a"
                            + " worker's command line (the class path, the main class, the crash log); leave it"
                            + " out: workers load the job's classes from the driver's"
                            + " class path");
                }
            }
        }
        return List.of(options);
    }
}
