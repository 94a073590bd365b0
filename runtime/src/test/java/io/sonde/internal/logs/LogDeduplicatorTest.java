package io.sonde.internal.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogDeduplicatorTest {

    private static final Duration WINDOW = Duration.ofSeconds(5);

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final List<String> out = Collections.synchronizedList(new ArrayList<>());
    private final LogDeduplicator dedup = deduplicator(true);

    private LogDeduplicator deduplicator(boolean enabled) {
        return new LogDeduplicator(enabled, WINDOW, clock::get, out::add, new LogPrefix(false));
    }

    private static LogLine line(String source, long pid, String text) {
        return new LogLine(source, "square", pid, null, false, text);
    }

    private static LogLine errLine(String source, long pid, String text) {
        return new LogLine(source, "square", pid, null, true, text);
    }

    private void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    @Test
    void firstOccurrenceIsPrintedAtOnce() {
        dedup.accept(line("w1", 11, "hello from task 1"));

        assertThat(out).containsExactly("(square pid=11) hello from task 1");
    }

    @Test
    void repeatsFromOneWorkerAreAllPrinted() {
        dedup.accept(line("w1", 11, "step 1 done"));
        dedup.accept(line("w1", 11, "step 2 done"));
        dedup.accept(line("w1", 11, "step 3 done"));

        assertThat(out)
                .containsExactly(
                        "(square pid=11) step 1 done",
                        "(square pid=11) step 2 done",
                        "(square pid=11) step 3 done");
    }

    @Test
    void sameLineFromOtherWorkersIsFoldedIntoOneRepeatedLine() {
        dedup.accept(line("w1", 11, "loss 0.123 at step 4"));
        dedup.accept(line("w2", 12, "loss 0.991 at step 7"));
        dedup.accept(line("w3", 13, "loss 0.500 at step 9"));
        assertThat(out).containsExactly("(square pid=11) loss 0.123 at step 4");

        advance(WINDOW);
        dedup.flush(false);

        assertThat(out)
                .containsExactly(
                        "(square pid=11) loss 0.123 at step 4",
                        "(square pid=13) loss 0.500 at step 9 [repeated 2x across cluster]");
    }

    @Test
    void theFirstSummaryOfADriverTellsOnceHowToTurnFoldingOff() {
        java.util.concurrent.atomic.AtomicBoolean hinted = new java.util.concurrent.atomic.AtomicBoolean();
        List<String> err = new ArrayList<>();
        LogDeduplicator stdout = new LogDeduplicator(true, WINDOW, clock::get, out::add, new LogPrefix(false), hinted);
        LogDeduplicator stderr = new LogDeduplicator(true, WINDOW, clock::get, err::add, new LogPrefix(false), hinted);
        stdout.accept(line("w1", 11, "loading"));
        stdout.accept(line("w2", 12, "loading"));
        stderr.accept(errLine("w1", 11, "warning"));
        stderr.accept(errLine("w2", 12, "warning"));
        advance(WINDOW);
        stdout.flush(false);
        stderr.flush(false);
        assertThat(out).containsExactly("(square pid=11) loading", "(square pid=12) loading [repeated 1x across cluster]"
                + " (Sonde folds repeated lines by default; set SONDE_DEDUP_LOGS=0 to print each one)");
        assertThat(err).as("told once for both streams")
                .containsExactly("(square pid=11) warning", "(square pid=12) warning [repeated 1x across cluster]");
    }

    @Test
    void firstWorkerIsAlsoFoldedOnceASecondWorkerPrintedTheLine() {
        dedup.accept(line("w1", 11, "tick 1"));
        dedup.accept(line("w2", 12, "tick 2"));
        dedup.accept(line("w1", 11, "tick 3"));

        dedup.flush(true);

        assertThat(out)
                .containsExactly(
                        "(square pid=11) tick 1", "(square pid=11) tick 3 [repeated 2x across cluster]");
    }

    @Test
    void hexIdsAndWordsWithDigitsDoNotPreventFolding() {
        dedup.accept(line("w1", 11, "actor abc123 at 0x1f ready"));
        dedup.accept(line("w2", 12, "actor def456 at 0xa0 ready"));

        dedup.flush(true);

        assertThat(out)
                .containsExactly(
                        "(square pid=11) actor abc123 at 0x1f ready",
                        "(square pid=12) actor def456 at 0xa0 ready [repeated 1x across cluster]");
    }

    @Test
    void differentMessagesAreNotFoldedTogether() {
        dedup.accept(line("w1", 11, "loading model"));
        dedup.accept(line("w2", 12, "loading data"));

        dedup.flush(true);

        assertThat(out)
                .containsExactly("(square pid=11) loading model", "(square pid=12) loading data");
    }

    @Test
    void linesOfOnlyNumbersAreNeverFolded() {
        dedup.accept(line("w1", 11, "42"));
        dedup.accept(line("w2", 12, "  3.14   7 "));
        dedup.accept(line("w3", 13, "0x1f"));

        dedup.flush(true);

        assertThat(out)
                .containsExactly(
                        "(square pid=11) 42", "(square pid=12)   3.14   7 ", "(square pid=13) 0x1f");
    }

    @Test
    void foldedLinesStayHiddenUntilTheWindowCloses() {
        dedup.accept(line("w1", 11, "epoch 1 finished"));
        dedup.accept(line("w2", 12, "epoch 1 finished"));

        advance(WINDOW.minusNanos(1));
        dedup.flush(false);

        assertThat(out).containsExactly("(square pid=11) epoch 1 finished");
    }

    @Test
    void keyWithoutFoldedLinesExpiresSilently() {
        dedup.accept(line("w1", 11, "epoch 1 finished"));
        dedup.accept(line("w1", 11, "epoch 2 finished"));

        advance(WINDOW);
        dedup.flush(false);

        assertThat(out)
                .containsExactly("(square pid=11) epoch 1 finished", "(square pid=11) epoch 2 finished");
    }

    @Test
    void keyForgottenAfterWindow() {
        dedup.accept(line("w1", 11, "epoch 1 finished"));
        dedup.accept(line("w2", 12, "epoch 1 finished"));
        advance(WINDOW);
        dedup.flush(false);

        dedup.accept(line("w2", 12, "epoch 2 finished"));

        assertThat(out)
                .containsExactly(
                        "(square pid=11) epoch 1 finished",
                        "(square pid=12) epoch 1 finished [repeated 1x across cluster]",
                        "(square pid=12) epoch 2 finished");
    }

    @Test
    void windowIsCountedFromTheFirstOccurrence() {
        dedup.accept(line("w1", 11, "waiting 1"));
        advance(Duration.ofSeconds(3));
        dedup.accept(line("w2", 12, "waiting 2"));
        advance(Duration.ofSeconds(2));
        dedup.flush(false);

        assertThat(out)
                .containsExactly(
                        "(square pid=11) waiting 1", "(square pid=12) waiting 2 [repeated 1x across cluster]");
    }

    @Test
    void acceptEmitsExpiredSummariesBeforeTheNewLine() {
        dedup.accept(line("w1", 11, "ping 1"));
        dedup.accept(line("w2", 12, "ping 2"));
        advance(WINDOW);

        dedup.accept(line("w3", 13, "something else"));

        assertThat(out)
                .containsExactly(
                        "(square pid=11) ping 1",
                        "(square pid=12) ping 2 [repeated 1x across cluster]",
                        "(square pid=13) something else");
    }

    @Test
    void flushAllEmitsPendingCountsAtShutdown() {
        dedup.accept(line("w1", 11, "ping 1"));
        dedup.accept(line("w2", 12, "ping 2"));
        dedup.accept(line("w3", 13, "pong 3"));
        dedup.accept(line("w4", 14, "pong 4"));
        dedup.accept(line("w5", 15, "pong 5"));

        dedup.flush(true);
        dedup.flush(true);

        assertThat(out)
                .containsExactly(
                        "(square pid=11) ping 1",
                        "(square pid=13) pong 3",
                        "(square pid=12) ping 2 [repeated 1x across cluster]",
                        "(square pid=15) pong 5 [repeated 2x across cluster]");
    }

    @Test
    void stdoutAndStderrAreDeduplicatedSeparately() {
        dedup.accept(line("w1", 11, "retry 1"));
        dedup.accept(errLine("w2", 12, "retry 2"));

        dedup.flush(true);

        assertThat(out).containsExactly("(square pid=11) retry 1", "(square pid=12) retry 2");
    }

    @Test
    void expiryWorksAcrossNanoTimeWrapAround() {
        clock.set(Long.MAX_VALUE - 1_000);
        dedup.accept(line("w1", 11, "ping 1"));
        dedup.accept(line("w2", 12, "ping 2"));

        advance(Duration.ofSeconds(1));
        dedup.flush(false);
        assertThat(out).containsExactly("(square pid=11) ping 1");

        advance(Duration.ofSeconds(4));
        dedup.flush(false);
        assertThat(out)
                .containsExactly(
                        "(square pid=11) ping 1", "(square pid=12) ping 2 [repeated 1x across cluster]");
    }

    @Test
    void colouredSummaryKeepsTheColourOfItsWorker() {
        LogDeduplicator colouredDedup =
                new LogDeduplicator(true, WINDOW, clock::get, out::add, new LogPrefix(true));

        colouredDedup.accept(line("w1", 1236, "ping 1"));
        colouredDedup.accept(line("w2", 1237, "ping 2"));
        colouredDedup.flush(true);

        assertThat(out)
                .containsExactly(
                        "\u001B[36m(square pid=1236)\u001B[0m ping 1",
                        "\u001B[35m(square pid=1237)\u001B[0m ping 2"
                                + "\u001B[32m [repeated 1x across cluster]\u001B[0m");
    }

    @Test
    void disabledDedupPrintsEverything() {
        LogDeduplicator off = deduplicator(false);

        off.accept(line("w1", 11, "ping 1"));
        off.accept(line("w2", 12, "ping 2"));
        off.accept(line("w3", 13, "ping 3"));
        off.flush(true);

        assertThat(out)
                .containsExactly(
                        "(square pid=11) ping 1", "(square pid=12) ping 2", "(square pid=13) ping 3");
    }

    @Test
    void dedupIsDisabledOnlyByZeroOrFalse() {
        assertThat(LogDeduplicator.enabledFromEnvironment(Map.of())).isTrue();
        assertThat(LogDeduplicator.enabledFromEnvironment(Map.of("SONDE_DEDUP_LOGS", "1"))).isTrue();
        assertThat(LogDeduplicator.enabledFromEnvironment(Map.of("SONDE_DEDUP_LOGS", "yes"))).isTrue();
        assertThat(LogDeduplicator.enabledFromEnvironment(Map.of("SONDE_DEDUP_LOGS", ""))).isTrue();
        assertThat(LogDeduplicator.enabledFromEnvironment(Map.of("SONDE_DEDUP_LOGS", "0"))).isFalse();
        assertThat(LogDeduplicator.enabledFromEnvironment(Map.of("SONDE_DEDUP_LOGS", "false")))
                .isFalse();
        assertThat(LogDeduplicator.enabledFromEnvironment(Map.of("SONDE_DEDUP_LOGS", " FALSE ")))
                .isFalse();
    }

    @Test
    void keyDropsWordsContainingDigits() {
        assertThat(LogDeduplicator.dedupKey("loss 0.123 at step 4")).isEqualTo("loss at step");
        assertThat(LogDeduplicator.dedupKey("  id=abc123\tat 0x1f  ok ")).isEqualTo("at ok");
        assertThat(LogDeduplicator.dedupKey(" 1 2.5 0xff ")).isEmpty();
    }

    @Test
    void concurrentWorkersKeepTheOrderOfTheirOwnLines() throws Exception {
        int workers = 8;
        int linesPerWorker = 500;
        ExecutorService pool = Executors.newFixedThreadPool(workers + 1);
        CountDownLatch start = new CountDownLatch(1);
        try {
            for (int w = 0; w < workers; w++) {
                String source = "w" + w;
                String name = letters(w);
                pool.submit(
                        () -> {
                            start.await();
                            for (int i = 0; i < linesPerWorker; i++) {
                                // Letters only, so every line has its own key and none is folded.
                                dedup.accept(line(source, 100, name + " says " + letters(i)));
                            }
                            return null;
                        });
            }
            pool.submit(
                    () -> {
                        start.await();
                        for (int i = 0; i < 200; i++) {
                            dedup.flush(false);
                        }
                        return null;
                    });
            start.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            pool.shutdownNow();
        }

        assertThat(out).hasSize(workers * linesPerWorker);
        for (int w = 0; w < workers; w++) {
            String marker = "(square pid=100) " + letters(w) + " says ";
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < linesPerWorker; i++) {
                expected.add(marker + letters(i));
            }
            assertThat(out.stream().filter(s -> s.startsWith(marker)).toList()).isEqualTo(expected);
        }
    }

    // Spells n in base 26 with letters, for texts that must differ without containing digits.
    private static String letters(int n) {
        StringBuilder sb = new StringBuilder();
        do {
            sb.append((char) ('a' + n % 26));
            n /= 26;
        } while (n > 0);
        return sb.reverse().toString();
    }
}
