package io.sonde;

import io.sonde.internal.client.CallOptions;

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

    /**
     * Options of a task that contradict each other, refused at {@code remote()} whatever order
     * they were set in: retrying exceptions with no retries to spend, or retrying none of them.
     */
    static CallOptions checkTask(CallOptions o) {
        if (o.retryExceptions && o.maxRetries == 0) {
            throw new IllegalArgumentException("retryExceptions retries a task that threw within maxRetries, and"
                    + " maxRetries is 0, so it would never retry: give maxRetries(n) (or -1, forever), or leave"
                    + " retryExceptions out");
        }
        return o;
    }

    /**
     * Options of an actor that contradict each other, refused at {@code remote()} (as Ray refuses
     * {@code max_task_retries} without {@code max_restarts}): calls are retried only on a
     * restarted actor, so retries without restarts would never happen.
     */
    static CallOptions checkActor(CallOptions o) {
        if (o.maxTaskRetries != 0 && o.maxRestarts == 0) {
            throw new IllegalArgumentException("maxTaskRetries(" + o.maxTaskRetries + ") retries calls on the"
                    + " restarted actor, and maxRestarts is 0, so the actor is never restarted: give"
                    + " maxRestarts(n) (or -1, forever) too, or leave maxTaskRetries out");
        }
        return o;
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
