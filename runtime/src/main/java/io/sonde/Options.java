package io.sonde;

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
}
