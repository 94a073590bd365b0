package io.sonde.cli;

import io.sonde.testing.SondeRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How verbs find the cluster, and what they say when there is none. No head runs here. */
class ClusterLocatorTest {
    @RegisterExtension
    final SondeRoot root = SondeRoot.temporary();

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

    /** A session directory as a program's embedded cluster leaves it, for a process with this pid. */
    private Path session(String time, long pid, String address) throws IOException {
        Path dir = Files.createDirectories(root.resolve("session_" + time + "_" + pid));
        Files.writeString(dir.resolve("node_address"), address + "\n");
        return dir;
    }

    @Test
    void withNothingNamedTheOneProgramRunningAClusterOfItsOwnIsFoundAndSeveralAreListed() throws Exception {
        ClusterLocator locator = new ClusterLocator(Map.of());
        Process other = new ProcessBuilder("sleep", "60").start();
        Process third = new ProcessBuilder("sleep", "60").start();
        try {
            session("2026-01-01_00-00-00_000", 999_999_999L, "sonde://127.0.0.1:9"); // its process is gone
            assertThat(locator.embedded()).isEmpty();

            session("2026-01-02_00-00-00_000", other.pid(), "sonde://127.0.0.1:4001");
            assertThat(locator.embedded()).hasValueSatisfying(c -> {
                assertThat(c.address()).isEqualTo("sonde://127.0.0.1:4001");
                assertThat(c.source()).startsWith("the cluster of pid " + other.pid());
            });
            // a head named by its address file still wins
            Files.writeString(root.resolve("head_address"), "sonde://127.0.0.1:3\n");
            assertThat(locator.candidate(null)).hasValueSatisfying(c -> assertThat(c.address()).isEqualTo("sonde://127.0.0.1:3"));
            Files.delete(root.resolve("head_address"));

            session("2026-01-03_00-00-00_000", third.pid(), "sonde://127.0.0.1:4002");
            org.assertj.core.api.Assertions.assertThatThrownBy(locator::embedded)
                    .isInstanceOf(CommandFailure.class)
                    .hasMessageContaining("Several programs here run a Sonde cluster of their own; pass --address")
                    .hasMessageContaining("sonde://127.0.0.1:4001   pid " + other.pid())
                    .hasMessageContaining("sonde://127.0.0.1:4002   pid " + third.pid());
        } finally {
            other.destroy();
            third.destroy();
        }
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
