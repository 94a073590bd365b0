package io.sonde.cli;

import io.sonde.testing.SondeRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The options every cluster-talking verb shares: --address with each verb's own help, and --timeout. No head runs here. */
class ClusterOptionsTest {
    private static final List<String> CLUSTER_VERBS = List.of("status", "list", "stop", "debug");

    /** A root of its own: the verbs find no head or cluster of the person running the tests. */
    @RegisterExtension
    final SondeRoot root = SondeRoot.temporary();

    /** The help of {@code sonde VERB}, with picocli's line wrapping undone. */
    private static String help(String verb) {
        Cli.Run run = Cli.sonde(verb, "--help");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return run.out().replaceAll("\\s+", " ");
    }

    @Test
    void verbsThatTalkToTheClusterTakeAddressAndTimeout() {
        for (String verb : CLUSTER_VERBS) {
            assertThat(help(verb)).as(verb)
                    .contains("--address=sonde://HOST:PORT The cluster to talk to. Default: $SONDE_ADDRESS, else the head"
                            + " started by `sonde start --head`.")
                    .contains("--timeout=TIME[ms|s|m]")
                    .contains("Default: 10s.");
        }
        assertThat(help("stop")).contains("the stop request waits 20 seconds more, for the workers to exit.");
    }

    @Test
    void shellAndRunDescribeTheirOwnFallbackAndTakeNoTimeout() {
        assertThat(help("shell"))
                .contains("--address=sonde://HOST:PORT The cluster to join. Default: $SONDE_ADDRESS, else an embedded"
                        + " cluster that stops with the shell.")
                .doesNotContain("--timeout");
        assertThat(help("run"))
                .contains("--address=sonde://HOST:PORT The cluster to run on. Default: $SONDE_ADDRESS, else an embedded"
                        + " cluster that ends with the run.")
                .doesNotContain("--timeout");

        Cli.Run shell = Cli.sonde("shell", "--timeout", "5s");
        assertThat(shell.exitCode()).as(shell.toString()).isEqualTo(2);
        assertThat(shell.err()).contains("Unknown option: '--timeout'");
        Cli.Run run = Cli.sonde("run", "--timeout", "5s", "job.jsh");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("Unknown option: '--timeout'");
    }

    @Test
    void aTimeoutIsANumberOfSecondsOrHasAUnit() {
        ClusterOptions.DurationConverter converter = new ClusterOptions.DurationConverter();
        assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(converter.convert("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(converter.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(converter.convert("7")).isEqualTo(Duration.ofSeconds(7));
        assertThatThrownBy(() -> converter.convert("1h")).hasMessage("'1h' is not a duration: give a number with ms, s or m,"
                + " e.g. 30s");
    }

    @Test
    void aTimeoutThatIsNotADurationOrIsZeroIsAUsageError() {
        Cli.Run words = Cli.sonde("status", "--timeout", "soon");
        assertThat(words.exitCode()).as(words.toString()).isEqualTo(2);
        assertThat(words.err()).contains("Invalid value for option '--timeout': 'soon' is not a duration: give a number"
                + " with ms, s or m, e.g. 30s");

        Cli.Run zero = Cli.sonde("list", "tasks", "--timeout", "0ms");
        assertThat(zero.exitCode()).as(zero.toString()).isEqualTo(2);
        assertThat(zero.err()).contains("Invalid value for option '--timeout': a timeout of 0ms leaves no time to answer");
    }

    @Test
    void aClusterThatDoesNotAnswerFailsTheVerbWithinTheTimeout() throws IOException {
        // Accepts connections and never says a word: a gRPC call there waits for its deadline.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            }, "silent-cluster");
            acceptor.setDaemon(true);
            acceptor.start();
            String address = "sonde://127.0.0.1:" + silent.getLocalPort();

            for (String verb : List.of("status", "debug")) {
                long started = System.nanoTime();
                Cli.Run run = Cli.sonde(verb, "--address", address, "--timeout", "300ms");
                Duration took = Duration.ofNanos(System.nanoTime() - started);

                assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
                assertThat(run.err()).as(verb)
                        .contains(ClusterLocator.NOT_FOUND)
                        .contains("(tried " + address + " from --address: no answer within the deadline)");
                // well under the 10 s default: the option reached the call
                assertThat(took).as(verb).isLessThan(Duration.ofSeconds(5));
            }
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
