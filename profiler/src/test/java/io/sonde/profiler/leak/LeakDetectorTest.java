package io.sonde.profiler.leak;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The detector's rule and its once-per-period state, on synthetic series (time in ms, memory in MB). */
class LeakDetectorTest {
    private static final long MB = 1L << 20;
    private static final LeakSettings S = LeakSettings.DEFAULTS; // 2 min window, heap 25 MB/min, RSS 50 MB/min

    private final LeakDetector d = new LeakDetector();

    /** RSS flat at {@code rss} MB once a second, and a collection every {@code gcEvery} s whose floor follows {@code heap}. */
    private Optional<LeakDetector.Suspicion> run(long fromS, long toS, java.util.function.LongUnaryOperator rssMb,
                                                 java.util.function.LongUnaryOperator heapMb, int gcEvery) {
        Optional<LeakDetector.Suspicion> found = Optional.empty();
        for (long t = fromS; t <= toS; t++) {
            d.rss("w1", t * 1000, rssMb.applyAsLong(t) * MB, S);
            if (t % gcEvery == 0) {
                d.heapAfterGc("w1", t * 1000, heapMb.applyAsLong(t) * MB, S);
            }
            Optional<LeakDetector.Suspicion> s = d.check("w1", t * 1000, S);
            if (s.isPresent() && found.isEmpty()) {
                found = s;
            }
        }
        return found;
    }

    @Test
    void aHeapThatRises50MbAMinuteIsASuspectForAnAllocProfileWithinTheWindow() {
        // the leak starts at 300 s, in a worker watched since 0; a collection every 5 s
        Optional<LeakDetector.Suspicion> s = run(0, 600, t -> 300 + Math.max(0, t - 300), // RSS grows 60 MB/min
                t -> 100 + Math.max(0, t - 300) * 50 / 60 + (t % 20 == 0 ? 7 : 0), 5);

        assertThat(s).isPresent();
        assertThat(s.get().event()).isEqualTo("alloc");
        assertThat(s.get().growth().measure()).isEqualTo(LeakDetector.Measure.HEAP);
        assertThat(s.get().growth().describe()).matches("heap after GC \\+\\d+ MB in \\d+ s");
        long at = s.get().growth().toMs() / 1000;
        assertThat(at).isBetween(300L + 90, 300L + 125); // under the 3 min target, with a 20 s profile after it
    }

    @Test
    void aSawtoothOfAllocateAndFreeIsNotASuspect() {
        // a heap that climbs 40 MB between collections and falls back each time, RSS steady
        Optional<LeakDetector.Suspicion> s = run(0, 900, t -> 400, t -> 100 + (t % 60) * 40 / 60, 3);

        assertThat(s).isEmpty();
    }

    @Test
    void aWarmUpThatFillsACacheOnceIsNotASuspect() {
        // +200 MB in 40 s, then flat: it spans three of the window's five steps at most
        Optional<LeakDetector.Suspicion> s = run(0, 600, t -> 300 + Math.min(200, Math.max(0, t - 200) * 5),
                t -> 100 + Math.min(200, Math.max(0, t - 200) * 5), 2);

        assertThat(s).isEmpty();
    }

    @Test
    void rssThatGrowsWithAFlatHeapIsASuspectForANativememProfile() {
        Optional<LeakDetector.Suspicion> s = run(0, 400, t -> 300 + t * 60 / 60, t -> 100, 4);

        assertThat(s).isPresent();
        assertThat(s.get().event()).isEqualTo("nativemem");
        assertThat(s.get().growth().describe()).startsWith("RSS +");
        assertThat(s.get().heap()).isPresent();
    }

    @Test
    void rssThatGrowsWithNoCollectionAtAllIsProfiledForLiveAllocations() {
        Optional<LeakDetector.Suspicion> s = run(0, 400, t -> 300 + t, t -> 100, 100_000);

        assertThat(s).isPresent();
        assertThat(s.get().event()).isEqualTo("alloc");
        assertThat(s.get().heap()).isEmpty();
    }

    @Test
    void aHeapThatGrowsOverTooFewCollectionsIsNotASuspect() {
        // a collection every 25 s: some sixth of 20 s holds none, and gcs=6 wants one in each
        Optional<LeakDetector.Suspicion> s = run(0, 400, t -> 300, t -> 100 + t, 25);

        assertThat(s).isEmpty();
    }

    @Test
    void aWorkerIsASuspectAtMostOncePerPeriodAndAgainAfterIt() {
        java.util.function.LongUnaryOperator leak = t -> 100 + t; // 60 MB/min, for an hour
        int suspicions = 0;
        long firstAt = -1;
        long secondAt = -1;
        for (long t = 0; t <= 3600; t++) {
            d.rss("w1", t * 1000, 300 * MB, S);
            if (t % 5 == 0) {
                d.heapAfterGc("w1", t * 1000, leak.applyAsLong(t) * MB, S);
            }
            if (d.check("w1", t * 1000, S).isPresent()) {
                suspicions++;
                if (firstAt < 0) {
                    firstAt = t;
                } else if (secondAt < 0) {
                    secondAt = t;
                }
            }
        }
        assertThat(suspicions).isEqualTo(2); // 30 min period in the hour
        assertThat(secondAt - firstAt).isEqualTo(S.period().toSeconds());
    }

    @Test
    void aFailedProfileIsRetriedAfterAMinuteAndAnExitedWorkerIsForgotten() {
        for (long t = 0; t <= 200; t++) {
            d.heapAfterGc("w1", t * 1000, (100 + t) * MB, S);
        }
        assertThat(d.check("w1", 200_000, S)).isPresent();
        d.failed("w1", 200_000);
        d.heapAfterGc("w1", 201_000, 301 * MB, S);
        assertThat(d.check("w1", 201_000, S)).isEmpty();
        for (long t = 202; t <= 260; t++) {
            d.heapAfterGc("w1", t * 1000, (100 + t) * MB, S);
        }
        assertThat(d.check("w1", 260_000, S)).isPresent();

        d.exited("w1");
        assertThat(d.size()).isZero();
        assertThat(d.check("w1", 261_000, S)).isEmpty();
    }

    @Test
    void aWorkerWatchedForLessThanAWindowIsNotASuspectYet() {
        for (long t = 0; t <= 100; t++) {
            d.heapAfterGc("w1", t * 1000, (100 + 10 * t) * MB, S);
        }
        assertThat(d.check("w1", 100_000, S)).isEmpty();
    }

    @Test
    void settingsComeFromTheJobOverTheEnvironmentOverTheDefaults() {
        LeakSettings node = LeakSettings.fromEnvironment(Map.of("SONDE_PROFILER_LEAK_WINDOW", "90s",
                "SONDE_PROFILER_LEAK_HEAP_RATE", "10m")::get);
        LeakSettings job = node.withOptions(Map.of("profiler.leak.window", "20s", "profiler.leak.period", "1h"));

        assertThat(node.window()).isEqualTo(Duration.ofSeconds(90));
        assertThat(node.heapRate()).isEqualTo(10 * MB);
        assertThat(node.rssRate()).isEqualTo(50 * MB);
        assertThat(job.window()).isEqualTo(Duration.ofSeconds(20));
        assertThat(job.heapRate()).isEqualTo(10 * MB);
        assertThat(job.period()).isEqualTo(Duration.ofHours(1));
        assertThat(LeakSettings.DEFAULTS.describe()).isEqualTo("a suspect: heap after GC rising 25 MB a minute or more,"
                + " or RSS growing 50 MB a minute or more, in each sixth of 2 min (at least 6 collections for the heap);"
                + " profiled 20 s, at most once per worker in 30 min");
        assertThatThrownBy(() -> S.withOptions(Map.of("profiler.leak.window", "two minutes")))
                .hasMessage("profiler.leak.window (SONDE_PROFILER_LEAK_WINDOW) takes a duration with ms, s, m or h,"
                        + " e.g. 90s or 2m, got \"two minutes\"");
        assertThatThrownBy(() -> S.withOptions(Map.of("profiler.leak.gcs", "5")))
                .hasMessageStartingWith("profiler.leak.gcs must be 6 or more");
    }
}
