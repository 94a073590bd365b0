package io.sonde.internal.logs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Prints worker output on the driver with a {@link LogPrefix}, folding a line that many workers
 * print at about the same time into a single {@code [repeated Nx across cluster]} line, so a
 * cluster of workers running the same code does not flood the console.
 *
 * <p>Lines are compared by a key that ignores numbers and words containing digits. Within {@code
 * window} of a key's first occurrence, lines with that key are printed at once as long as they all
 * come from one worker (a print in a loop must show every iteration); once a second worker prints
 * it, later occurrences are only counted and summarised when the window closes. The caller owns
 * scheduling: call {@link #flush(boolean) flush(false)} periodically and {@code flush(true)} at
 * shutdown.
 *
 * <p>Thread-safe: {@link #accept} and {@link #flush} may be called from any threads. The sink is
 * called by one thread at a time, under an internal lock and in the order lines are decided, so
 * lines of one worker keep their order; it should therefore be quick, like a print.
 */
public final class LogDeduplicator {

    /** Environment variable that turns deduplication off when set to {@code 0} or {@code false}. */
    public static final String ENV_VAR = "SONDE_DEDUP_LOGS";

    private final boolean enabled;
    private final long windowNanos;
    private final LongSupplier nanoClock;
    private final Consumer<String> sink;
    private final LogPrefix prefix;
    private final Object lock = new Object();
    /** Whether the first summary (of this one or of those sharing it) told how to turn folding off. */
    private final java.util.concurrent.atomic.AtomicBoolean hinted;

    /** Appended to the first summary line, once, as Ray's hint is. */
    static final String HINT = " (Sonde folds repeated lines by default; set " + ENV_VAR + "=0 to print each one)";

    // All keys share one window, so insertion (first-occurrence) order is also expiry order,
    // which lets flushing stop at the first key that is still open.
    private final Map<Key, State> open = new LinkedHashMap<>();

    /**
     * @param enabled false to print every line at once, e.g. from {@link #enabledFromEnvironment}
     * @param window how long after a key's first occurrence its repeats are gathered (5 s in
     *     production)
     * @param nanoClock a {@link System#nanoTime}-like clock
     * @param sink receives finished lines, ready to print
     * @param prefix formats the prefix of each line
     */
    public LogDeduplicator(
            boolean enabled,
            Duration window,
            LongSupplier nanoClock,
            Consumer<String> sink,
            LogPrefix prefix) {
        this(enabled, window, nanoClock, sink, prefix, new java.util.concurrent.atomic.AtomicBoolean(true));
    }

    /**
     * As above, and the first summary tells how to turn folding off unless {@code hinted} is true
     * already: it is shared by the deduplicators of one driver (its stdout's and its stderr's), so
     * that this is told once in all. The constructor above never tells.
     */
    public LogDeduplicator(
            boolean enabled,
            Duration window,
            LongSupplier nanoClock,
            Consumer<String> sink,
            LogPrefix prefix,
            java.util.concurrent.atomic.AtomicBoolean hinted) {
        this.hinted = Objects.requireNonNull(hinted, "hinted");
        if (window.isNegative()) {
            throw new IllegalArgumentException("window must not be negative: " + window);
        }
        this.enabled = enabled;
        this.windowNanos = window.toNanos();
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.prefix = Objects.requireNonNull(prefix, "prefix");
    }

    /** Deduplication is on unless {@value #ENV_VAR} is {@code 0} or {@code false}. */
    public static boolean enabledFromEnvironment(Map<String, String> env) {
        String value = env.get(ENV_VAR);
        if (value == null) {
            return true;
        }
        value = value.trim();
        return !value.equals("0") && !value.equalsIgnoreCase("false");
    }

    /** Prints the line now, or counts it as a repeat to be summarised when its window closes. */
    public void accept(LogLine line) {
        Objects.requireNonNull(line, "line");
        synchronized (lock) {
            if (!enabled) {
                sink.accept(prefix.format(line));
                return;
            }
            long now = nanoClock.getAsLong();
            // Summaries of closed windows go out before this line, keeping the output chronological.
            closeWindows(now, false).forEach(sink);
            String normalised = dedupKey(line.text());
            if (normalised.isEmpty()) {
                // Nothing but numbers: the numbers are the whole message, so folding would hide it.
                sink.accept(prefix.format(line));
                return;
            }
            Key key = new Key(line.stderr(), normalised);
            State state = open.get(key);
            if (state == null) {
                open.put(key, new State(now, line.sourceId()));
                sink.accept(prefix.format(line));
            } else if (state.countsAsRepeat(line.sourceId())) {
                state.folded++;
                state.lastFolded = line;
            } else {
                sink.accept(prefix.format(line));
            }
        }
    }

    /**
     * Emits the summary of every key whose window has closed, or of every pending key when {@code
     * all} is true (at shutdown, so no count is lost); the keys are then forgotten.
     */
    public void flush(boolean all) {
        synchronized (lock) {
            closeWindows(nanoClock.getAsLong(), all).forEach(sink);
        }
    }

    /**
     * The key under which lines are compared: the words of {@code text} that contain no digit, joined
     * by single spaces. Counters, timings, ids and hex addresses differ between workers and
     * iterations while the message around them stays the same.
     */
    static String dedupKey(String text) {
        StringBuilder key = new StringBuilder();
        for (String word : text.trim().split("\\s+")) {
            if (!word.isEmpty() && word.chars().noneMatch(Character::isDigit)) {
                if (key.length() > 0) {
                    key.append(' ');
                }
                key.append(word);
            }
        }
        return key.toString();
    }

    // Returns the summaries instead of emitting them, so a sink that calls back into this object
    // cannot disturb the iteration over the open keys.
    private List<String> closeWindows(long now, boolean all) {
        List<String> out = new ArrayList<>();
        for (Iterator<State> it = open.values().iterator(); it.hasNext(); ) {
            State state = it.next();
            // Subtraction, not comparison of raw values, so a nanoTime wrap-around does no harm.
            if (!all && now - state.firstSeenNanos < windowNanos) {
                break;
            }
            it.remove();
            if (state.folded > 0) {
                out.add(prefix.format(state.lastFolded) + prefix.repeatedSuffix(state.folded)
                        + (hinted.compareAndSet(false, true) ? HINT : ""));
            }
        }
        return out;
    }

    // Stdout and stderr are kept apart so a summary never reports one stream's line for the other.
    private record Key(boolean stderr, String normalised) {}

    /** Mutable per-key state; only touched while holding {@code lock}. */
    private static final class State {
        final long firstSeenNanos;
        final String firstSource;
        boolean manySources;
        int folded;
        LogLine lastFolded;

        State(long firstSeenNanos, String firstSource) {
            this.firstSeenNanos = firstSeenNanos;
            this.firstSource = firstSource;
        }

        // Once a second worker has printed the key, every later occurrence is a repeat,
        // including those of the first worker.
        boolean countsAsRepeat(String source) {
            if (!manySources && !firstSource.equals(source)) {
                manySources = true;
            }
            return manySources;
        }
    }
}
