package io.sonde.profiler;

import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What {@code sonde profile --event} records, and what its {@code --interval} counts: time for
 * {@code cpu}, {@code wall} and {@code lock}, bytes for {@code alloc} and {@code nativemem}.
 * Stateless.
 */
public enum ProfileEvent {
    CPU(false, "10ms"), WALL(false, "20ms"), ALLOC(true, "512k"), LOCK(false, "10us"), NATIVEMEM(true, "1m");

    private static final Pattern TIME = Pattern.compile("\\d{1,12}(ns|us|ms|s)?");
    private static final Pattern BYTES = Pattern.compile("\\d{1,12}[kmg]?", Pattern.CASE_INSENSITIVE);

    private final boolean memory;
    private final String example;

    ProfileEvent(boolean memory, String example) {
        this.memory = memory;
        this.example = example;
    }

    /** The name on the command line and in async-profiler: {@code cpu}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether it records allocations (sites by bytes and objects), not time (top frames). */
    public boolean memory() {
        return memory;
    }

    /**
     * The event named on the command line.
     *
     * @throws IllegalArgumentException for another word; the message lists the events
     */
    public static ProfileEvent parse(String word) {
        for (ProfileEvent e : values()) {
            if (e.id().equalsIgnoreCase(word.trim())) {
                return e;
            }
        }
        throw new IllegalArgumentException("Unknown event '" + word + "': give one of " + names() + ".");
    }

    /** {@code cpu, wall, alloc, lock, nativemem}. */
    public static String names() {
        return Arrays.stream(values()).map(ProfileEvent::id).collect(Collectors.joining(", "));
    }

    /**
     * Checks an {@code --interval} for this event: a time ({@code 10ms}; a bare number is
     * nanoseconds, as async-profiler reads it) for cpu, wall and lock, a size ({@code 512k}) for
     * alloc and nativemem.
     *
     * @throws IllegalArgumentException if it is not one; the message gives an example
     */
    public void checkInterval(String interval) {
        boolean ok = memory ? BYTES.matcher(interval).matches() : TIME.matcher(interval).matches();
        if (!ok || interval.matches("0+\\D*")) {
            throw new IllegalArgumentException("--interval " + interval + " is not " + (memory
                    ? "a size of memory for --event " + id() + ": give bytes, or a number with k, m or g, e.g. " + example
                    : "a time for --event " + id() + ": give a number with ns, us, ms or s, e.g. " + example) + ".");
        }
    }

    /** Whether {@code --live} applies: only to allocations, of which it keeps those still alive at the end. */
    public void checkLive(boolean live) {
        if (live && !memory) {
            throw new IllegalArgumentException("--live keeps the allocations still alive at the end, so it goes with"
                    + " --event alloc or nativemem, not " + id() + ".");
        }
    }
}
