package io.sonde.internal.node.memory;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The last hour of a node's memory: one sample a second, the oldest dropped first. */
class MemoryHistoryTest {
    private static MemoryMonitor.Sample at(long millis) {
        return new MemoryMonitor.Sample(millis, millis, 10_000_000, List.of());
    }

    @Test
    void keepsTheFirstSampleOfEachSecond() {
        MemoryHistory h = new MemoryHistory();
        h.add(at(1_000));
        h.add(at(1_250));
        h.add(at(1_999));
        h.add(at(2_000));
        assertThat(h.since(0)).extracting(MemoryMonitor.Sample::atMillis).containsExactly(1_000L, 2_000L);
    }

    @Test
    void holdsAnHourAndDropsTheOldestBeyond() {
        MemoryHistory h = new MemoryHistory();
        for (int s = 0; s < MemoryHistory.CAPACITY + 10; s++) {
            h.add(at(s * 1000L));
        }
        List<MemoryMonitor.Sample> all = h.since(0);
        assertThat(all).hasSize(MemoryHistory.CAPACITY);
        assertThat(all.get(0).atMillis()).isEqualTo(10_000L);
        assertThat(all.get(all.size() - 1).atMillis()).isEqualTo((MemoryHistory.CAPACITY + 9) * 1000L);
        assertThat(h.since((MemoryHistory.CAPACITY + 7) * 1000L)).hasSize(3);
    }
}
