package io.sonde.profiler;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How {@code --event cpu} picks its engine, with async-profiler's start replaced by a recorder. */
class CpuEngineTest {
    private final List<String> tried = new ArrayList<>();

    private CpuEngine.Starter refusing(String... refused) {
        return event -> {
            tried.add(event);
            if (List.of(refused).contains(event)) {
                throw new IllegalStateException(event.equals("cpu-clock") ? "Perf events unavailable" : event + " failed");
            }
        };
    }

    @Test
    void perfEventsWhereAllowedWithNothingToSay() {
        CpuEngine.Started s = CpuEngine.start(refusing());

        assertThat(s).isEqualTo(new CpuEngine.Started("cpu", ""));
        assertThat(tried).containsExactly("cpu-clock");
    }

    @Test
    void fallsBackToCtimerAndSaysWhy() {
        CpuEngine.Started s = CpuEngine.start(refusing("cpu-clock"));

        assertThat(s.event()).isEqualTo("ctimer");
        assertThat(s.note()).startsWith("cpu: perf events are not allowed here (Perf events unavailable; see"
                + " /proc/sys/kernel/perf_event_paranoid").contains("uses ctimer instead");
        assertThat(tried).containsExactly("cpu-clock", "ctimer");
    }

    @Test
    void thenToItimer() {
        assertThat(CpuEngine.start(refusing("cpu-clock", "ctimer")).event()).isEqualTo("itimer");
    }

    @Test
    void noEngineSaysWhatEachSaid() {
        assertThatThrownBy(() -> CpuEngine.start(refusing("cpu-clock", "ctimer", "itimer")))
                .hasMessage("no CPU profiling engine can start in this process (perf events: Perf events unavailable;"
                        + " ctimer: ctimer failed; itimer: itimer failed).");
    }
}
