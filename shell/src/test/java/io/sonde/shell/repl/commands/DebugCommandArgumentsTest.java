package io.sonde.shell.repl.commands;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@code /debug} accepts: nothing, or {@code --jdwp-port PORT} as {@code sonde debug} does. */
class DebugCommandArgumentsTest {
    @Test
    void noArgumentsIsTheConsoleAndJdwpPortIsTheIdesListener() {
        assertThat(DebugCommand.jdwpPort("")).isEqualTo(-1);
        assertThat(DebugCommand.jdwpPort("  --jdwp-port 5005 ")).isEqualTo(5005);
        assertThat(DebugCommand.jdwpPort("--jdwp-port 0")).isZero();
    }

    @Test
    void aBadPortOrAnotherArgumentIsRefusedWithTheUsage() {
        assertThatThrownBy(() -> DebugCommand.jdwpPort("--jdwp-port 70000"))
                .hasMessage("--jdwp-port takes a port from 0 to 65535 (0: any free port), not 70000.");
        assertThatThrownBy(() -> DebugCommand.jdwpPort("--jdwp-port five"))
                .hasMessage("--jdwp-port takes a port from 0 to 65535 (0: any free port), not five.");
        assertThatThrownBy(() -> DebugCommand.jdwpPort("now"))
                .hasMessageStartingWith("/debug takes no arguments but --jdwp-port PORT:");
    }
}
