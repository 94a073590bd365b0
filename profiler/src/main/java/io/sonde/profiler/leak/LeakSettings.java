package io.sonde.profiler.leak;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When the node suspects a worker of leaking memory, and how it profiles a suspect. Each setting
 * is read from the job's plug-in option ({@code InitOptions.pluginOption("profiler.leak.window", "2m")}),
 * else the node's environment ({@code SONDE_PROFILER_LEAK_WINDOW}), else its default.
 *
 * @param enabled  whether the node looks for leaks at all ({@code profiler.leak.detect}; true)
 * @param window   how far back growth is measured; a worker is watched for a whole window before
 *                 it can be a suspect ({@code profiler.leak.window}; 2 min)
 * @param heapRate the heap after GC must rise at least this many bytes a minute, in each sixth of
 *                 the window ({@code profiler.leak.heapRate}; 25 MB)
 * @param gcs      the collections the window must hold, a sixth of them in each sixth
 *                 ({@code profiler.leak.gcs}; 6)
 * @param rssRate  RSS must grow at least this many bytes a minute, in each sixth of the window
 *                 ({@code profiler.leak.rssRate}; 50 MB)
 * @param profile  how long a suspect is profiled ({@code profiler.leak.profile}; 20 s)
 * @param period   at most one profile per worker in this time ({@code profiler.leak.period}; 30 min)
 */
public record LeakSettings(boolean enabled, Duration window, long heapRate, int gcs, long rssRate, Duration profile,
                           Duration period) {
    public static final String PREFIX = "profiler.leak.";
    private static final long MB = 1L << 20;
    public static final LeakSettings DEFAULTS = new LeakSettings(true, Duration.ofMinutes(2), 25 * MB, 6, 50 * MB,
            Duration.ofSeconds(20), Duration.ofMinutes(30));

    public LeakSettings {
        if (window.toMillis() < 2_000) {
            throw new IllegalArgumentException(PREFIX + "window must be 2s or more, got " + format(window));
        }
        if (heapRate <= 0 || rssRate <= 0) {
            throw new IllegalArgumentException(PREFIX + "heapRate and " + PREFIX + "rssRate must be sizes above 0");
        }
        if (gcs < 6) {
            throw new IllegalArgumentException(PREFIX + "gcs must be 6 or more (one in each sixth of the window), got "
                    + gcs);
        }
        if (profile.toMillis() < 100 || profile.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException(PREFIX + "profile must be from 100ms to 5m, got " + format(profile));
        }
        if (period.isNegative()) {
            throw new IllegalArgumentException(PREFIX + "period must not be negative");
        }
    }

    /** The environment variable of an option: {@code profiler.leak.heapRate} is {@code SONDE_PROFILER_LEAK_HEAP_RATE}. */
    public static String env(String option) {
        return "SONDE_" + option.replaceAll("([a-z])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /** The node's settings: its environment over the defaults. */
    public static LeakSettings fromEnvironment(Function<String, String> env) {
        return DEFAULTS.with(name -> env.apply(env(PREFIX + name)));
    }

    /** A job's settings: its plug-in options over these. */
    public LeakSettings withOptions(Map<String, String> options) {
        return with(name -> options.get(PREFIX + name));
    }

    /**
     * These settings with the values {@code value} gives by name ({@code window}); a value that
     * cannot be used throws, naming the option and what it takes.
     */
    LeakSettings with(Function<String, String> value) {
        return new LeakSettings(
                bool("detect", value.apply("detect"), enabled),
                duration("window", value.apply("window"), window),
                size("heapRate", value.apply("heapRate"), heapRate),
                count("gcs", value.apply("gcs"), gcs),
                size("rssRate", value.apply("rssRate"), rssRate),
                duration("profile", value.apply("profile"), profile),
                duration("period", value.apply("period"), period));
    }

    /** One line for {@code sonde memory --leaks} and the reports. */
    public String describe() {
        if (!enabled) {
            return "leak detection is off (" + PREFIX + "detect=false)";
        }
        return "a suspect: heap after GC rising " + mb(heapRate) + " a minute or more, or RSS growing " + mb(rssRate)
                + " a minute or more, in each sixth of " + format(window) + " (at least " + gcs + " collections for the"
                + " heap); profiled " + format(profile) + ", at most once per worker in " + format(period);
    }

    private static String mb(long bytes) {
        return bytes % MB == 0 ? bytes / MB + " MB" : String.format(Locale.ROOT, "%.1f MB", bytes / (double) MB);
    }

    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + " min";
        }
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|min|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,9})\\s*([kmg])b?", Pattern.CASE_INSENSITIVE);

    private static Duration duration(String name, String v, Duration otherwise) {
        if (v == null || v.isBlank()) {
            return otherwise;
        }
        Matcher m = DURATION.matcher(v.trim());
        if (!m.matches()) {
            throw bad(name, v, "a duration with ms, s, m or h, e.g. 90s or 2m");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofMinutes(n);
        };
    }

    private static long size(String name, String v, long otherwise) {
        if (v == null || v.isBlank()) {
            return otherwise;
        }
        Matcher m = SIZE.matcher(v.trim());
        if (!m.matches()) {
            throw bad(name, v, "a size a minute with k, m or g, e.g. 50m");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> n << 10;
            case "g" -> n << 30;
            default -> n << 20;
        };
    }

    private static int count(String name, String v, int otherwise) {
        if (v == null || v.isBlank()) {
            return otherwise;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw bad(name, v, "a whole number");
        }
    }

    private static boolean bool(String name, String v, boolean otherwise) {
        if (v == null || v.isBlank()) {
            return otherwise;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "on", "yes" -> true;
            case "false", "off", "no" -> false;
            default -> throw bad(name, v, "true or false");
        };
    }

    private static IllegalArgumentException bad(String name, String v, String takes) {
        return new IllegalArgumentException(PREFIX + name + " (" + env(PREFIX + name) + ") takes " + takes + ", got \""
                + v + "\"");
    }
}
