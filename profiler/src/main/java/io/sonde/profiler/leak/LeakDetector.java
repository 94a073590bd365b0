package io.sonde.profiler.leak;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Spots the workers whose memory keeps growing, from two series per worker: its Java heap in use
 * after each garbage collection, and its RSS (the memory monitor's sample, about once a second).
 * A fresh JVM's RSS grows for a while as the pages of the heap the collector gave it are first
 * touched: the window, over which a worker must have been watched, keeps that warm-up out.
 *
 * <h2>The rule</h2>
 * Over the last {@link LeakSettings#window} (2 min), split in six parts (20 s each): a measure
 * grows when its floor (its lowest point) in each part is above the floor of the part before by
 * at least {@code rate × part}. The floors make it blind to what a program allocates and frees (a
 * sawtooth's lows stay put), and the five steps to a warm-up that fills a cache once and stops:
 * growth must go on for more than half the window. The heap must hold {@link LeakSettings#gcs}
 * collections, a sixth of them in each part; a worker must have been watched for a whole window.
 *
 * <pre>
 *   watching ──heap (or RSS) grows──▶ suspect: profile ──▶ (period) ──▶ watching
 *       ▲                                  └─profile failed──▶ (1 min) ─┘
 *       └── a suspect again only after the period, however long it keeps growing
 * </pre>
 *
 * A suspect's heap grew: {@code alloc} with {@code live}. Its RSS grew and its heap did not (it
 * grew less than half as much over two collections or more): {@code nativemem} with {@code live}.
 * RSS grew and no collection tells of the heap: {@code alloc} with {@code live}, as RSS follows a
 * heap that fills before its first collection.
 *
 * <p>Not thread-safe: its owner calls it on one thread. Times are wall-clock milliseconds given by
 * the caller, so the tests drive it.
 */
public final class LeakDetector {
    /** After a profile that failed, how long before the worker may be profiled again. */
    static final long RETRY_MS = 60_000;
    /** The window's parts, in each of which a measure's floor must rise: 20 s each of a 2 min window. */
    static final int PARTS = 6;

    /** What grew. */
    public enum Measure {
        HEAP("heap after GC"), RSS("RSS");

        private final String label;

        Measure(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** One point of a series. */
    record Point(long atMs, long value) {
    }

    /**
     * How much a measure grew: from its first part's floor to its last point.
     *
     * @param from   the first part's floor, bytes
     * @param to     the last point, bytes
     * @param fromMs when the floor was measured
     * @param toMs   when the last point was
     */
    public record Growth(Measure measure, long from, long to, long fromMs, long toMs) {
        public long bytes() {
            return to - from;
        }

        /** {@code heap after GC +612 MB in 90 s}. */
        public String describe() {
            return measure.label + " +" + mb(bytes()) + " in " + Math.max(1, Math.round((toMs - fromMs) / 1000.0)) + " s";
        }
    }

    /**
     * A worker to profile now.
     *
     * @param growth   what grew (the heap when both did)
     * @param heap     the heap's growth over the window when it was measured, else empty
     * @param rss      RSS's growth over the window when it was measured, else empty
     * @param event    the profile's event: {@code alloc} or {@code nativemem} (always with {@code live})
     */
    public record Suspicion(Growth growth, Optional<Growth> heap, Optional<Growth> rss, String event) {
    }

    private static final class Watched {
        final long firstSeenMs;
        final ArrayDeque<Point> heap = new ArrayDeque<>();
        final ArrayDeque<Point> rss = new ArrayDeque<>();
        long notBeforeMs;

        Watched(long firstSeenMs) {
            this.firstSeenMs = firstSeenMs;
        }
    }

    private final Map<String, Watched> workers = new HashMap<>();

    /** An RSS sample of a worker. */
    public void rss(String workerId, long atMs, long bytes, LeakSettings s) {
        add(watched(workerId, atMs).rss, atMs, bytes, s);
    }

    /** The heap in use after a collection in a worker. */
    public void heapAfterGc(String workerId, long atMs, long bytes, LeakSettings s) {
        add(watched(workerId, atMs).heap, atMs, bytes, s);
    }

    /** The worker is gone: forgotten. */
    public void exited(String workerId) {
        workers.remove(workerId);
    }

    /** The workers it watches. */
    public int size() {
        return workers.size();
    }

    /**
     * Whether the worker is a suspect to profile now: its memory grows, and it was not profiled
     * within the period. A suspicion returned starts the period: the next one comes after it.
     */
    public Optional<Suspicion> check(String workerId, long nowMs, LeakSettings s) {
        Watched w = workers.get(workerId);
        if (w == null || !s.enabled() || nowMs < w.notBeforeMs || nowMs - w.firstSeenMs < s.window().toMillis()) {
            return Optional.empty();
        }
        long window = s.window().toMillis();
        int perPart = (s.gcs() + PARTS - 1) / PARTS;
        Optional<Growth> heap = grows(Measure.HEAP, w.heap, nowMs, window, s.heapRate(), perPart);
        Optional<Growth> rss = grows(Measure.RSS, w.rss, nowMs, window, s.rssRate(), 2);
        if (heap.isEmpty() && rss.isEmpty()) {
            return Optional.empty();
        }
        Optional<Growth> heapSpan = span(Measure.HEAP, w.heap, nowMs, window);
        Optional<Growth> rssSpan = span(Measure.RSS, w.rss, nowMs, window);
        String event = "alloc";
        if (heap.isEmpty() && heapSpan.isPresent() && heapSpan.get().bytes() < rss.get().bytes() / 2) {
            event = "nativemem";
        }
        w.notBeforeMs = nowMs + s.period().toMillis();
        return Optional.of(new Suspicion(heap.orElseGet(rss::get), heapSpan, rssSpan, event));
    }

    /** The profile of a suspect could not be taken: the worker may be tried again in a minute. */
    public void failed(String workerId, long nowMs) {
        Watched w = workers.get(workerId);
        if (w != null) {
            w.notBeforeMs = nowMs + RETRY_MS;
        }
    }

    private Watched watched(String workerId, long atMs) {
        return workers.computeIfAbsent(workerId, id -> new Watched(atMs));
    }

    private static void add(ArrayDeque<Point> series, long atMs, long value, LeakSettings s) {
        series.addLast(new Point(atMs, value));
        long keep = atMs - s.window().toMillis();
        while (!series.isEmpty() && series.peekFirst().atMs() < keep) {
            series.removeFirst();
        }
    }

    /** The rule (see the class's javadoc); empty when the measure does not grow so. */
    static Optional<Growth> grows(Measure measure, ArrayDeque<Point> series, long nowMs, long windowMs, long ratePerMin,
                                  int perPart) {
        long start = nowMs - windowMs;
        List<List<Point>> parts = new ArrayList<>();
        for (int q = 0; q < PARTS; q++) {
            parts.add(new ArrayList<>());
        }
        Point last = null;
        for (Point p : series) {
            if (p.atMs() < start || p.atMs() > nowMs) {
                continue;
            }
            int q = (int) Math.min(PARTS - 1, (p.atMs() - start) * PARTS / windowMs);
            parts.get(q).add(p);
            last = p;
        }
        for (List<Point> q : parts) {
            if (q.size() < perPart) {
                return Optional.empty();
            }
        }
        double step = ratePerMin * (windowMs / (double) PARTS) / 60_000.0;
        Point first = lowest(parts.get(0));
        Point floor = first;
        for (int q = 1; q < PARTS; q++) {
            Point next = lowest(parts.get(q));
            if (next.value() - floor.value() < step) {
                return Optional.empty();
            }
            floor = next;
        }
        return Optional.of(new Growth(measure, first.value(), last.value(), first.atMs(), last.atMs()));
    }

    /** From the lowest point of the window's first part to the last point, when the window has both. */
    private static Optional<Growth> span(Measure measure, ArrayDeque<Point> series, long nowMs, long windowMs) {
        long firstEnd = nowMs - windowMs + windowMs / PARTS;
        List<Point> first = new ArrayList<>();
        Point last = null;
        for (Point p : series) {
            if (p.atMs() >= nowMs - windowMs && p.atMs() < firstEnd) {
                first.add(p);
            }
            last = p;
        }
        if (first.isEmpty() || last == null || last.atMs() < nowMs - windowMs / 2) {
            return Optional.empty();
        }
        Point floor = lowest(first);
        return Optional.of(new Growth(measure, floor.value(), last.value(), floor.atMs(), last.atMs()));
    }

    private static Point lowest(List<Point> points) {
        Point low = points.get(0);
        for (Point p : points) {
            if (p.value() < low.value()) {
                low = p;
            }
        }
        return low;
    }

    /** {@code 612 MB}, {@code 1.5 GB}, {@code 80 KB}. */
    public static String mb(long bytes) {
        double mb = bytes / (double) (1L << 20);
        if (Math.abs(mb) >= 1024) {
            return String.format(Locale.ROOT, "%.1f GB", mb / 1024);
        }
        if (Math.abs(mb) >= 1) {
            return String.format(Locale.ROOT, "%.0f MB", mb);
        }
        return String.format(Locale.ROOT, "%.0f KB", bytes / 1024.0);
    }
}
