package demo;

import io.sonde.ActorDiedException;
import io.sonde.ActorHandle;
import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.TaskException;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.sonde.testing.Processes.alive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * An actor ends on purpose: by {@code Sonde.exitActor()} in one of its methods, or by its
 * {@code terminate()} after the calls submitted before it; its {@code close()} runs then, and not
 * on a kill. A restarted actor knows it is one. The actor lives in a package of its own (not
 * Sonde's), so that the sites the failures name are the program's lines.
 * What must not be lost: the result of the call that ended the actor, and the calls queued before
 * a terminate.
 */
class ActorEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);

    @TempDir
    Path dir;

    /** An actor that appends what happens to it to a file: the test reads the file, not the worker's output. */
    public static final class Journal implements AutoCloseable {
        private final String file;
        private int n;

        public Journal(String file) {
            this.file = file;
        }

        public int work(long millis) throws InterruptedException {
            Thread.sleep(millis);
            return ++n;
        }

        public String stop() {
            Sonde.exitActor();
            return "stopped after " + n;
        }

        public long pid() {
            return ProcessHandle.current().pid();
        }

        public boolean restarted() {
            return Sonde.context().wasCurrentActorRestarted();
        }

        public int crash() {
            Runtime.getRuntime().halt(3);
            return -1;
        }

        @Override
        public void close() {
            if (!Files.isDirectory(Path.of(file).getParent())) {
                return; // an actor of an earlier test, ended after its directory went
            }
            try {
                Files.writeString(Path.of(file), "closed after " + n + "\n", StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private String journal() {
        return dir.resolve("journal").toString();
    }

    private String read() throws IOException {
        Path p = Path.of(journal());
        return Files.exists(p) ? Files.readString(p) : "";
    }

    @Test
    void exitActorEndsItAfterTheCallClosesItAndDoesNotRestartIt() throws Exception {
        ActorHandle<Journal> a = Sonde.actor(Journal::new, journal()).maxRestarts(3).remote();
        long pid = Sonde.get(a.task(Journal::pid).remote());
        Sonde.get(a.task(Journal::work, 0L).remote());
        ObjectRef<String> stop = a.task(Journal::stop).remote();
        ObjectRef<Integer> behind = a.task(Journal::work, 0L).remote(); // queued behind the exit

        assertThat(Sonde.get(stop)).as("the call that ended the actor keeps its result").isEqualTo("stopped after 1");
        assertThat(read()).isEqualTo("closed after 1\n");
        assertThatThrownBy(() -> Sonde.get(behind)).isInstanceOf(ActorDiedException.class)
                .hasMessageContaining("is dead: it exited on purpose: Sonde.exitActor() was called in Journal.stop at"
                        + " demo.ActorEndTest$Journal.stop(ActorEndTest.java:")
                .hasMessageNotContaining("maxRestarts");
        await().atMost(WAIT).until(() -> !alive(pid));
        // maxRestarts(3) does not bring it back: a later call fails at once, with the same cause
        assertThatThrownBy(() -> Sonde.get(a.task(Journal::pid).remote(), Duration.ofSeconds(10)))
                .isInstanceOf(ActorDiedException.class).hasMessageContaining("exited on purpose");
        assertThat(read()).as("closed once").isEqualTo("closed after 1\n");
    }

    @Test
    void terminateRunsTheCallsSubmittedBeforeItThenClosesTheActor() throws Exception {
        ActorHandle<Journal> a = Sonde.actor(Journal::new, journal()).maxRestarts(3).remote();
        long pid = Sonde.get(a.task(Journal::pid).remote());
        List<ObjectRef<Integer>> before = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            before.add(a.task(Journal::work, 50L).remote());
        }
        ObjectRef<Void> terminated = a.terminate();
        ObjectRef<Integer> after = a.task(Journal::work, 0L).remote();

        assertThat(Sonde.get(before)).containsExactly(1, 2, 3, 4, 5);
        assertThat(Sonde.get(terminated)).isNull();
        assertThat(read()).isEqualTo("closed after 5\n");
        assertThatThrownBy(() -> Sonde.get(after)).isInstanceOf(ActorDiedException.class)
                .hasMessageContaining("is dead: it was terminated on purpose by terminate() at"
                        + " demo.ActorEndTest.terminateRunsTheCallsSubmittedBeforeItThenClosesTheActor(ActorEndTest.java:")
                .hasMessageContaining("once the calls submitted before it had run");
        await().atMost(WAIT).until(() -> !alive(pid));
        assertThatThrownBy(() -> Sonde.get(a.terminate(), Duration.ofSeconds(10)))
                .as("a second terminate finds it dead").isInstanceOf(ActorDiedException.class);
    }

    @Test
    void aKillDoesNotCloseTheActor() throws Exception {
        ActorHandle<Journal> a = Sonde.actor(Journal::new, journal()).remote();
        long pid = Sonde.get(a.task(Journal::pid).remote());
        Sonde.kill(a);
        await().atMost(WAIT).until(() -> !alive(pid));
        await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> read().isEmpty());
    }

    @Test
    void exitActorOutsideAnActorMethodSaysWhereItMayBeCalled() {
        assertThatThrownBy(() -> Sonde.exitActor()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("was called in a driver at demo.ActorEndTest")
                .hasMessageContaining("handle.terminate()");
        ObjectRef<Integer> task = Sonde.task(() -> {
            Sonde.exitActor();
            return 1;
        }).name("plain").remote();
        assertThatThrownBy(() -> Sonde.get(task)).isInstanceOf(TaskException.class)
                .hasRootCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("in task plain, which is not an actor");
    }

    @Test
    void aRestartedActorKnowsItWasRestarted() {
        ActorHandle<Journal> a = Sonde.actor(Journal::new, journal()).maxRestarts(1).remote();
        assertThat(Sonde.get(a.task(Journal::restarted).remote())).isFalse();
        assertThatThrownBy(() -> Sonde.get(a.task(Journal::crash).remote())).isInstanceOf(ActorDiedException.class);
        // without maxTaskRetries a call made while it restarts fails at once: ask until the new instance answers
        await().atMost(WAIT).ignoreExceptions().until(() -> Sonde.get(a.task(Journal::restarted).remote(), WAIT));
        assertThat(Sonde.get(Sonde.task(() -> Sonde.context().wasCurrentActorRestarted()).remote()))
                .as("a task is no actor").isFalse();
    }
}
