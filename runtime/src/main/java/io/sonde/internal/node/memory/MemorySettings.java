package io.sonde.internal.node.memory;

import java.util.function.Function;

/**
 * The memory monitor's settings, read once as the node starts: each from its system property,
 * else its environment variable, else the default. A value that cannot be used stops the node's
 * start with a message naming it and what it takes.
 *
 * @param refreshMs how often it samples; 0 turns the monitor off
 *                  ({@code sonde.memory.monitorRefreshMs}, {@code SONDE_MEMORY_MONITOR_REFRESH_MS}; 250)
 * @param threshold the fraction of the node's memory in use above which it kills a worker
 *                  ({@code sonde.memory.usageThreshold}, {@code SONDE_MEMORY_USAGE_THRESHOLD}; 0.95)
 */
public record MemorySettings(long refreshMs, double threshold) {
    public static final String REFRESH_ENV = "SONDE_MEMORY_MONITOR_REFRESH_MS";
    public static final String THRESHOLD_ENV = "SONDE_MEMORY_USAGE_THRESHOLD";
    static final String REFRESH_PROPERTY = "sonde.memory.monitorRefreshMs";
    static final String THRESHOLD_PROPERTY = "sonde.memory.usageThreshold";
    public static final long DEFAULT_REFRESH_MS = 250;
    public static final double DEFAULT_THRESHOLD = 0.95;

    public MemorySettings {
        if (refreshMs < 0) {
            throw new IllegalArgumentException(REFRESH_ENV + " must be 0 (the memory monitor off) or a number of"
                    + " milliseconds, got " + refreshMs);
        }
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException(THRESHOLD_ENV + " must be a fraction of the node's memory above 0 and"
                    + " at most 1 (default " + DEFAULT_THRESHOLD + "), got " + threshold);
        }
    }

    public boolean enabled() {
        return refreshMs > 0;
    }

    /** From this JVM's system properties and environment. */
    public static MemorySettings fromEnvironment() {
        return from(System::getProperty, System::getenv);
    }

    static MemorySettings from(Function<String, String> properties, Function<String, String> env) {
        String refresh = first(properties.apply(REFRESH_PROPERTY), env.apply(REFRESH_ENV));
        String threshold = first(properties.apply(THRESHOLD_PROPERTY), env.apply(THRESHOLD_ENV));
        long r = DEFAULT_REFRESH_MS;
        double t = DEFAULT_THRESHOLD;
        if (refresh != null) {
            try {
                r = Long.parseLong(refresh.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(REFRESH_ENV + " must be a whole number of milliseconds (0 turns"
                        + " the memory monitor off), got \"" + refresh + "\"");
            }
        }
        if (threshold != null) {
            try {
                t = Double.parseDouble(threshold.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(THRESHOLD_ENV + " must be a fraction such as 0.9, got \""
                        + threshold + "\"");
            }
        }
        return new MemorySettings(r, t);
    }

    private static String first(String a, String b) {
        return a != null && !a.isBlank() ? a : b != null && !b.isBlank() ? b : null;
    }
}
