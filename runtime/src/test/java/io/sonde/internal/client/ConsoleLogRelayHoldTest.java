package io.sonde.internal.client;

import io.sonde.proto.LogBatch;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The relay's hold, as a driver stopped at {@code Sonde.breakpoint()} uses it: workers' lines wait,
 * notices do not, and the held lines print in order on release; past the bound they are counted and
 * the count is said, never dropped silently.
 */
class ConsoleLogRelayHoldTest {
    private final List<String> printed = new CopyOnWriteArrayList<>();

    private ConsoleLogRelay relay() {
        // distinct lines, so the deduplicator folds none of them
        return new ConsoleLogRelay(printed::add, printed::add, false, "10.0.0.1");
    }

    private static LogBatch batch(int from, int count) {
        return LogBatch.newBuilder().setWorkerId("w1").setTaskName("square").setPid(4711).setNodeIp("10.0.0.1")
                .addAllLines(IntStream.range(from, from + count).mapToObj(i -> "line " + i).toList()).build();
    }

    @Test
    void heldLinesWaitWhileNoticesPrintAndTheyPrintInOrderOnRelease() throws Exception {
        ConsoleLogRelay r = relay();
        try {
            r.accept(batch(0, 1));
            r.hold(true).get(5, TimeUnit.SECONDS);
            r.accept(batch(1, 2));
            r.notice("driver", 99, "10.0.0.1", "breakpoint at Main.java:12");
            await().atMost(Duration.ofSeconds(5)).until(() -> printed.contains("(driver pid=99) breakpoint at Main.java:12"));
            await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2))
                    .until(() -> printed.stream().noneMatch(l -> l.endsWith("line 1") || l.endsWith("line 2")));
            r.hold(false).get(5, TimeUnit.SECONDS);
            assertThat(printed).containsExactly("(square pid=4711) line 0", "(driver pid=99) breakpoint at Main.java:12",
                    "(square pid=4711) line 1", "(square pid=4711) line 2");
        } finally {
            r.close();
        }
    }

    @Test
    void pastTheBoundTheLinesAreCountedAndTheCountIsSaid() throws Exception {
        ConsoleLogRelay r = relay();
        try {
            r.hold(true).get(5, TimeUnit.SECONDS);
            r.hold(true).get(5, TimeUnit.SECONDS); // two stopped threads
            int max = ConsoleLogRelay.MAX_HELD_LINES;
            r.accept(batch(0, max - 1));
            r.accept(batch(max - 1, 1)); // fits exactly
            r.accept(batch(max, 5)); // does not
            r.accept(batch(max + 5, 2));
            r.hold(false).get(5, TimeUnit.SECONDS);
            assertThat(printed).as("one thread still stopped").isEmpty();
            r.hold(false).get(5, TimeUnit.SECONDS);
            assertThat(printed).hasSize(max + 1);
            assertThat(printed.get(0)).isEqualTo("(square pid=4711) line 0");
            assertThat(printed.get(max - 1)).isEqualTo("(square pid=4711) line " + (max - 1));
            assertThat(printed.get(max)).isEqualTo("(sonde) 7 more lines of the workers' output came while this driver"
                    + " was stopped at a breakpoint, past the " + max + " held for it, and are not shown here; they are in"
                    + " the workers' log files (logs/worker-*.out and .err in the session directory of their node)");
            r.accept(batch(0, 1));
            await().atMost(Duration.ofSeconds(5)).until(() -> printed.size() == max + 2);
        } finally {
            r.close();
        }
    }
}
