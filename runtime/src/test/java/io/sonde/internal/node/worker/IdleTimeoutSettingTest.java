package io.sonde.internal.node.worker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdleTimeoutSettingTest {
    @Test
    void theIdleTimeoutIsTheDefaultUnlessSetAndABadValueIsNamedWithTheFix() {
        assertThat(WorkerPool.idleTimeoutMs(null)).isEqualTo(WorkerPool.DEFAULT_IDLE_WORKER_TIMEOUT_MS);
        assertThat(WorkerPool.idleTimeoutMs(" ")).isEqualTo(10_000);
        assertThat(WorkerPool.idleTimeoutMs(" 1500 ")).isEqualTo(1_500);
        assertThat(WorkerPool.idleTimeoutMs("0")).isZero();
        assertThatThrownBy(() -> WorkerPool.idleTimeoutMs("2s")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SONDE_IDLE_WORKER_TIMEOUT_MS (or -Dsonde.idleWorkerTimeoutMs) must be a whole number of"
                        + " milliseconds, 0 or more, that a worker beyond the node's CPUs may stay idle; got \"2s\""
                        + " (the default is 10000)");
        assertThatThrownBy(() -> WorkerPool.idleTimeoutMs("-1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got \"-1\"");
    }
}
