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

    static double nonNegative(String option, double value) {
        if (value < 0 || Double.isNaN(value)) {
            throw new IllegalArgumentException(option + " must be 0 or more, got " + value);
        }
        return value;
    }
}
