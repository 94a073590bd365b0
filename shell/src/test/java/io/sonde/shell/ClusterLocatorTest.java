package io.sonde.shell;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How verbs find the cluster, and what they say when there is none. No head runs here. */
class ClusterLocatorTest {
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
    void addressOptionWinsOverEnvironmentWhichWinsOverTheAddressFile() throws IOException {
        Files.writeString(root.resolve("head_address"), "sonde://127.0.0.1:3\n");
        ClusterLocator withEnv = new ClusterLocator(Map.of("SONDE_ADDRESS", "sonde://127.0.0.1:2"));
        ClusterLocator withoutEnv = new ClusterLocator(Map.of());

        assertThat(withEnv.candidate("sonde://127.0.0.1:1")).hasValueSatisfying(c -> {
            assertThat(c.address()).isEqualTo("sonde://127.0.0.1:1");
            assertThat(c.source()).isEqualTo("--address");
        });
        assertThat(withEnv.candidate(null)).hasValueSatisfying(c -> assertThat(c.source()).isEqualTo("SONDE_ADDRESS"));
        assertThat(withoutEnv.candidate(null)).hasValueSatisfying(c -> {
            assertThat(c.address()).isEqualTo("sonde://127.0.0.1:3");
            assertThat(c.source()).endsWith("head_address");
        });
    }

    @Test
    void withNothingRunningStatusSaysHowToStartOne() {
        Cli.Run status = Cli.sonde("status");
        assertThat(status.exitCode()).isEqualTo(1);
        assertThat(status.err()).startsWith(ClusterLocator.NOT_FOUND);
    }

    @Test
    void anAddressWhereNothingAnswersIsNamedInTheError() throws IOException {
        int port = freePort();
        Cli.Run list = Cli.sonde(Map.of("SONDE_ADDRESS", "sonde://127.0.0.1:" + port), "list", "tasks");
        assertThat(list.exitCode()).isEqualTo(1);
        assertThat(list.err()).contains(ClusterLocator.NOT_FOUND)
                .contains("sonde://127.0.0.1:" + port + " from SONDE_ADDRESS");
    }

    @Test
    void aMalformedAddressIsAUsageError() {
        Cli.Run status = Cli.sonde("status", "--address", "localhost");
        assertThat(status.exitCode()).isEqualTo(2);
        assertThat(status.err()).contains("'localhost' is not a Sonde address").contains("--address");
    }

    @Test
    void stopWithNothingRunningSucceedsAndClearsAStaleAddressFile() throws IOException {
        Files.writeString(root.resolve("head_address"), "sonde://127.0.0.1:" + freePort() + "\n");
        Files.writeString(root.resolve("head.pid"), "999999999\n");

        Cli.Run stop = Cli.sonde("stop");

        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        assertThat(stop.out()).startsWith(StopCommand.NOTHING_TO_STOP);
        assertThat(root.resolve("head_address")).doesNotExist();
        assertThat(root.resolve("head.pid")).doesNotExist();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
