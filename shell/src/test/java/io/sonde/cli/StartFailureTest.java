package io.sonde.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class StartFailureTest {
    @TempDir
    Path root;

    @BeforeEach
    void privateRoot() {
        System.setProperty("sonde.root", root.toString());
    }

    @AfterEach
    void restoreRoot() {
        System.clearProperty("sonde.root");
    }

    @Test
    void aHeadThatCannotListenIsReportedWithTheTailOfItsOutput() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Cli.Run start = Cli.sonde("start", "--head", "--port", Integer.toString(taken.getLocalPort()));

            assertThat(start.exitCode()).as(start.toString()).isEqualTo(1);
            assertThat(start.err())
                    .contains("The Sonde head exited while starting")
                    .contains("head.out")
                    .contains("cannot listen on 127.0.0.1:" + taken.getLocalPort());
            assertThat(root.resolve("head_address")).doesNotExist();
        }
    }

    @Test
    void startWithoutHeadIsAUsageError() {
        Cli.Run start = Cli.sonde("start");
        assertThat(start.exitCode()).isEqualTo(2);
        assertThat(start.err()).contains("needs --head");
    }
}
