package io.sonde.cli;

import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.testing.SondeRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One real head daemon for the whole class, started and stopped through the CLI, with a private
 * {@code sonde.root} so a head the developer runs is neither found nor disturbed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StartStopCommandTest {
    @RegisterExtension
    static final SondeRoot root = SondeRoot.temporary();

    private String address;
    private long pid;

    @BeforeAll
    void startHead() throws Exception {
        Cli.Run start = Cli.sonde("start", "--head", "--port", "0", "--num-cpus", "2");
        assertThat(start.exitCode()).as(start.toString()).isZero();
        address = Files.readString(root.resolve("head_address")).trim();
        pid = Long.parseLong(Files.readString(root.resolve("head.pid")).trim());
        assertThat(address).matches("sonde://127\\.0\\.0\\.1:\\d+");
        assertThat(start.out())
                .contains("Started a Sonde head at " + address)
                .contains("Sonde.init(\"" + address + "\")")
                .contains("SONDE_ADDRESS=" + address)
                .contains("sonde stop");
        assertThat(ProcessHandle.of(pid)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
    }

    @AfterAll
    void killHeadIfStillAlive() {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    @Test
    @Order(1)
    void headIsADaemonProcessWithItsOutputInTheSession() {
        ProcessHandle head = ProcessHandle.of(pid).orElseThrow();
        assertThat(head.pid()).isNotEqualTo(ProcessHandle.current().pid());
        assertThat(head.info().commandLine()).hasValueSatisfying(c -> assertThat(c).contains(HeadFiles.HEAD_MARKER));
        assertThat(root.resolve("head.out")).content().contains("Sonde head serving at " + address);
    }

    @Test
    @Order(2)
    void secondStartIsRefusedWhileTheHeadAnswers() {
        Cli.Run again = Cli.sonde("start", "--head", "--port", "0");
        assertThat(again.exitCode()).as(again.toString()).isEqualTo(1);
        assertThat(again.err()).contains("already running at " + address).contains("sonde stop");
    }

    @Test
    @Order(3)
    void statusShowsTheNodeCpusMemoryAndTasks() {
        Cli.Run status = Cli.sonde("status");
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.out())
                .contains("Sonde cluster at " + address)
                .containsPattern("127\\.0\\.0\\.1\\s+yes")
                .containsPattern("CPUs\\s+\\d+\\.\\d/2\\.0")
                .containsPattern("Memory\\s+[\\d.]+[KMGT]?i?B/[\\d.]+GiB")
                .containsPattern("running\\s+0")
                .containsPattern("pending\\s+0");
    }

    @Test
    @Order(4)
    void listNodesShowsTheHeadAsAlive() {
        Cli.Run nodes = Cli.sonde("list", "nodes");
        assertThat(nodes.exitCode()).as(nodes.toString()).isZero();
        assertThat(nodes.out().lines().findFirst()).hasValueSatisfying(header -> assertThat(header)
                .containsSubsequence("NODE_ID", "IP", "ALIVE", "CPUS", "MEMORY", "WORKERS"));
        assertThat(nodes.out()).containsPattern("127\\.0\\.0\\.1\\s+yes\\s+\\d+\\.\\d/2\\.0");
    }

    @Test
    @Order(5)
    void driverRunsATaskThatListTasksShowsFinished() {
        Sonde.init(address);
        try {
            ObjectRef<Integer> answer = Sonde.task(() -> 6 * 7).name("answer").remote();
            assertThat(Sonde.get(answer)).isEqualTo(42);

            Cli.Run workers = Cli.sonde("list", "workers");
            assertThat(workers.exitCode()).as(workers.toString()).isZero();
            assertThat(workers.out()).contains("WORKER_ID").contains("RSS").containsPattern("\\b(IDLE|BUSY)\\b");
        } finally {
            Sonde.shutdown();
        }
        Cli.Run tasks = Cli.sonde("list", "tasks");
        assertThat(tasks.exitCode()).as(tasks.toString()).isZero();
        assertThat(tasks.out().lines().findFirst()).hasValueSatisfying(header -> assertThat(header).containsSubsequence(
                "TASK_ID", "NAME", "STATE", "KIND", "PID", "NODE", "ATTEMPT", "ERROR_TYPE"));
        assertThat(tasks.out()).containsPattern("answer\\s+FINISHED\\s+NORMAL\\s+\\d+");
    }

    @Test
    @Order(6)
    void listTasksShowsTheNewestFirstAndSaysWhenItShowsNotAll() {
        Sonde.init(address);
        try {
            for (int i = 0; i < 7; i++) {
                int k = i;
                Sonde.get(Sonde.task(() -> k).name("n" + i).remote());
            }
        } finally {
            Sonde.shutdown();
        }
        Cli.Run limited = Cli.sonde("list", "tasks", "--limit", "5");
        assertThat(limited.exitCode()).as(limited.toString()).isZero();
        // a header, five rows (the newest first), the notice
        List<String> lines = limited.out().lines().toList();
        assertThat(lines).hasSize(7);
        assertThat(lines.subList(1, 6)).zipSatisfy(List.of("n6", "n5", "n4", "n3", "n2"),
                (row, name) -> assertThat(row).containsPattern("\\s" + name + "\\s+FINISHED"));
        // the 7 of this test and the one of the test before
        assertThat(lines.get(6)).isEqualTo("Showing 5 of 8 tasks, newest first; --limit N shows more.");

        Cli.Run filtered = Cli.sonde("list", "tasks", "--filter", "name=n3", "--filter", "state=finished");
        assertThat(filtered.exitCode()).as(filtered.toString()).isZero();
        assertThat(filtered.out().lines().toList()).hasSize(2).last().asString().containsPattern("\\sn3\\s+FINISHED");

        Cli.Run none = Cli.sonde("list", "tasks", "--filter", "state=RUNNING");
        assertThat(none.out()).isEqualTo("No tasks matching state=RUNNING." + System.lineSeparator());

        Cli.Run bad = Cli.sonde("list", "tasks", "--filter", "colour=red");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--filter does not know the key 'colour'").contains("state, name, job, kind");
    }

    @Test
    @Order(7)
    void listWithAnUnknownKindNamesTheValidOnes() {
        Cli.Run bad = Cli.sonde("list", "jobz");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("Unknown kind 'jobz'").contains("tasks, actors, workers, nodes");
    }

    @Test
    @Order(7)
    void getAuthTokenPrintsTheTokenAndAStopWithoutItStopsNothing() throws Exception {
        Cli.Run token = Cli.sonde("get-auth-token");
        assertThat(token.exitCode()).as(token.toString()).isZero();
        Path session;
        try (java.util.stream.Stream<Path> dirs = Files.list(root.path())) {
            session = dirs.filter(d -> d.getFileName().toString().startsWith("session_2")
                    && d.getFileName().toString().endsWith("_" + pid)).findFirst().orElseThrow();
        }
        assertThat(token.out().strip()).isEqualTo(Files.readString(session.resolve("auth_token")).strip())
                .matches("[0-9a-f]{64}");

        // a client of another account has no token: refused, and told how to get one
        io.grpc.ManagedChannel stranger = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder
                .forTarget(address.substring("sonde://".length())).usePlaintext().build();
        try {
            Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() -> io.sonde.proto.NodeManagerGrpc
                    .newBlockingStub(stranger).withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS)
                    .stop(io.sonde.proto.StopRequest.newBuilder().setForce(true).build()));
            assertThat(io.grpc.Status.fromThrowable(refused).getCode()).isEqualTo(io.grpc.Status.Code.UNAUTHENTICATED);
            assertThat(refused).hasMessageContaining("sonde get-auth-token");
        } finally {
            stranger.shutdownNow();
        }
        // the verbs of a user without the token say that the cluster refused them, not that none runs
        Cli.Run status = root.withoutSessionFiles(() -> Cli.sonde("status", "--address", address));
        Cli.Run stop = root.withoutSessionFiles(() -> Cli.sonde("stop", "--address", address));
        for (Cli.Run r : List.of(status, stop)) {
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.err()).as(r.toString()).contains("refused this client").contains("sonde get-auth-token")
                    .doesNotContain("No running Sonde cluster");
        }
        assertThat(ProcessHandle.of(pid)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
        assertThat(Cli.sonde("status").exitCode()).isZero();
    }

    @Test
    @Order(8)
    void stopWarnsOfConnectedDriversThenEndsTheDaemonAndRemovesItsFiles() {
        Sonde.init(address); // a driver that is still connected when the cluster stops
        Cli.Run stop;
        try {
            stop = Cli.sonde("stop");
        } finally {
            Sonde.shutdown();
        }
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        assertThat(stop.err()).as("the connected driver is named before the cluster goes")
                .containsPattern("warning: 1 driver is connected to this cluster: job \\w+ \\(pid "
                        + ProcessHandle.current().pid() + "\\)")
                .contains("NodeDiedException");
        assertThat(stop.out()).contains("Stopped the Sonde cluster at " + address + " (head pid " + pid + ")");
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(root.resolve("head_address")).doesNotExist();
        assertThat(root.resolve("head.pid")).doesNotExist();

        Cli.Run again = Cli.sonde("stop");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.out()).contains("No running Sonde cluster found.");
        assertThat(again.err()).doesNotContain("warning");
    }
}
