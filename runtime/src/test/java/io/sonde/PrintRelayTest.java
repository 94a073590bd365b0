package io.sonde;

import io.sonde.internal.SondeRuntime;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class PrintRelayTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);

    static int square(int x) {
        System.out.println("squaring " + x);
        return x * x;
    }

    public static final class Greeter {
        public String greet(String who) {
            System.out.println("hello " + who);
            System.err.println("warning for " + who);
            return who;
        }
    }

    /** An actor that says who it is: its prints carry its toString(), as Ray's carry an actor's __repr__. */
    public static final class Shard {
        private final int index;

        public Shard(int index) {
            System.out.println("shard starting");
            this.index = index;
        }

        public long work() {
            System.out.println("shard working");
            return ProcessHandle.current().pid();
        }

        @Override
        public String toString() {
            return "Shard(index=" + index + ")";
        }
    }

    @Test
    void anActorsPrintsCarryItsOwnToStringWhenItsClassHasOne() {
        ActorHandle<Shard> s = Sonde.actor(Shard::new, 3).remote();
        long pid = Sonde.get(s.task(Shard::work).remote());
        await().atMost(Duration.ofSeconds(15)).until(() -> cluster.out().contains("(Shard(index=3) pid=" + pid + ") shard working"));
        assertThat(cluster.out()).as("the constructor's prints, before there is an instance, carry the class")
                .contains("(Shard pid=" + pid + ") shard starting");
        Sonde.kill(s);
    }

    @Test
    void workerPrintsReachTheDriverWithTaskNameAndPid() {
        ObjectRef<Long> pid = Sonde.task(() -> {
            PrintRelayTest.square(3);
            return ProcessHandle.current().pid();
        }).name("square").remote();
        long p = Sonde.get(pid);
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.out().contains("(square pid=" + p + ") squaring 3"));
    }

    @Test
    void actorPrintsArePrefixedWithTheActorClassAndStderrStaysStderr() {
        ActorHandle<Greeter> g = Sonde.actor(Greeter::new).remote();
        Sonde.get(g.task(Greeter::greet, "ada").remote());
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.out().stream().anyMatch(l -> l.matches("\\(Greeter pid=\\d+\\) hello ada")));
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.err().stream().anyMatch(l -> l.matches("\\(Greeter pid=\\d+\\) warning for ada")));
    }

    @Test
    void linesOfOneWorkerKeepTheirOrder() {
        Sonde.get(Sonde.task(() -> {
            for (int i = 0; i < 300; i++) {
                System.out.println("ordered " + i + " " + "x".repeat(i % 7));
            }
            return 0;
        }).name("orderly").remote());
        // Numbers are ignored by dedup, but one worker's repeats are all printed.
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.out().stream().filter(l -> l.contains(") ordered ")).count() == 300);
        List<Integer> seen = cluster.out().stream().filter(l -> l.contains(") ordered "))
                .map(l -> Integer.parseInt(l.split(" ")[3])).toList();
        assertThat(seen).containsExactlyElementsOf(IntStream.range(0, 300).boxed().toList());
    }

    @Test
    void sameLineFromManyWorkersIsFoldedIntoOneRepeatedLine() {
        // Actors are separate processes, so each call below prints from a different worker.
        List<ActorHandle<Greeter>> greeters = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            greeters.add(Sonde.actor(Greeter::new).remote());
        }
        // All four alive first, so their prints fall well inside one 5 s window even on a busy machine.
        Sonde.get(greeters.stream().map(g -> g.task((Greeter x) -> 0).remote()).toList(), java.time.Duration.ofSeconds(60));
        List<ObjectRef<String>> refs = new ArrayList<>();
        for (ActorHandle<Greeter> g : greeters) {
            refs.add(g.task(Greeter::greet, "everyone").remote());
        }
        Sonde.get(refs);
        await().atMost(Duration.ofSeconds(15)).until(() ->
                cluster.out().stream().anyMatch(l -> l.matches("\\(Greeter pid=\\d+\\) hello everyone \\[repeated 3x across cluster\\]"
                        // the driver's first summary says how to turn folding off
                        + "( \\(Sonde folds repeated lines by default; set SONDE_DEDUP_LOGS=0 to print each one\\))?")));
        assertThat(cluster.out().stream().filter(l -> l.endsWith("hello everyone"))).hasSize(1);
        greeters.forEach(Sonde::kill);
    }

    @Test
    void nothingPrintedByAnExitingWorkerIsLostAndLogFilesKeepEverything() throws Exception {
        ObjectRef<Long> r = Sonde.task(() -> {
            long pid = ProcessHandle.current().pid();
            for (int i = 0; i < 50; i++) {
                System.out.println("last words " + i);
            }
            System.out.flush();
            Runtime.getRuntime().halt(1);
            return pid;
        }).name("dying").maxRetries(0).remote();
        try {
            Sonde.get(r);
        } catch (WorkerCrashedException expected) {
            // the worker exited on purpose
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.out().stream().filter(l -> l.contains(") last words ")).count() == 50);
        Path session = Path.of(SondeRuntime.client().info().getSessionDir());
        Path latest = session.getParent().resolve("session_latest");
        assertThat(Files.readSymbolicLink(latest).toString()).isEqualTo(session.getFileName().toString());
        try (var files = Files.list(session.resolve("logs"))) {
            List<Path> outs = files.filter(f -> f.getFileName().toString().matches("worker-w[0-9a-f]+-\\d+\\.out")).toList();
            assertThat(outs).anySatisfy(f -> assertThat(Files.readString(f))
                    .contains(":task_name:dying").contains("last words 0").contains("last words 49"));
        }
    }
}
