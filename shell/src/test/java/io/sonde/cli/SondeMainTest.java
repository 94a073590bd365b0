package io.sonde.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SondeMainTest {
    @Test
    void helpListsEveryVerb() {
        Cli.Run help = Cli.sonde("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("start", "stop", "status", "list", "memory", "classpath", "microbenchmark");
    }

    @Test
    void noVerbIsAUsageError() {
        Cli.Run none = Cli.sonde();
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("Missing a verb");
    }

    @Test
    void anUnknownVerbIsAUsageError() {
        Cli.Run bad = Cli.sonde("launch");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("launch");
    }
}
