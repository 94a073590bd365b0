package io.sonde.internal.client;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SONDE_MAX_PENDING_TASKS: the tasks a client keeps at the node at once. */
class PendingTasksSettingTest {
    @Test
    void unsetIsTheDefaultAndABadValueSaysWhatItTakes() {
        assertThat(CoreClient.maxPendingTasks(null)).isEqualTo(CoreClient.DEFAULT_MAX_PENDING_TASKS);
        assertThat(CoreClient.maxPendingTasks(" 500 ")).isEqualTo(500);
        assertThatThrownBy(() -> CoreClient.maxPendingTasks("0")).hasMessageContaining("SONDE_MAX_PENDING_TASKS")
                .hasMessageContaining("1 or more").hasMessageContaining("got \"0\"");
        assertThatThrownBy(() -> CoreClient.maxPendingTasks("lots")).hasMessageContaining("got \"lots\"");
    }
}
