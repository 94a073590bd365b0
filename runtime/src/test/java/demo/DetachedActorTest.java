package demo;

import demo.LifetimeActors.Journal;
import io.sonde.ActorDiedException;
import io.sonde.ActorHandle;
import io.sonde.ActorLifetime;
import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.proto.ActorInfo;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static demo.Lifetimes.read;
import static io.sonde.testing.Processes.alive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A detached actor outlives the driver that created it and its handles: another driver finds it
 * by name in its namespace after the first left, and it ends by terminate(). An actor no node can
 * host fails at once, as a task does.
 */
class DetachedActorTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);

    /** For the class: an actor ended after its test (its close() writing here) finds its directory. */
    @TempDir
    static Path dir;

    private static String journal(String name) {
        return dir.resolve(name).toString();
    }

    @Test
    void aDetachedActorOutlivesItsDriverAndAnswersAnotherOne() throws Exception {
        assertThatThrownBy(() -> Sonde.actor(Journal::new, journal("x")).lifetime(ActorLifetime.DETACHED).remote())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a detached actor must be named");
        String file = journal("keeper");

        assertThat(Lifetimes.otherDriver(cluster, "detached", file)).contains("keeper answered 1");

        ActorHandle<Journal> keeper = Sonde.<Journal>getActor("keeper", "shared").orElseThrow(
                () -> new AssertionError("the detached actor is not found after its driver left"));
        ActorInfo info = Lifetimes.actor(cluster, keeper.actorId());
        assertThat(info.getState()).isEqualTo(ActorInfo.State.ALIVE);
        assertThat(info.getDetached()).isTrue();
        assertThat(info.getNamespace()).isEqualTo("shared");
        assertThat(cluster.nodeManager().status().getDriversList()).as("its driver has left")
                .noneMatch(d -> d.getJobId().equals(info.getJobId()));
        assertThat(Sonde.get(keeper.task(Journal::work, 0L).remote())).isEqualTo(2);

        keeper = null; // no handle keeps a detached actor alive, nor does its lack end it
        await().during(Duration.ofMillis(800)).atMost(WAIT).until(() -> {
            System.gc();
            return read(file).isEmpty();
        });
        ActorHandle<Journal> again = Sonde.<Journal>getActor("keeper", "shared").orElseThrow();
        Sonde.get(again.terminate(), WAIT);
        assertThat(read(file)).isEqualTo("closed after 2\n");
        // dead, or no longer listed: a job whose driver left is forgotten once its detached actors are dead
        assertThat(cluster.nodeManager().listActors()).filteredOn(i -> i.getActorId().equals(again.actorId()))
                .allMatch(i -> i.getState() == ActorInfo.State.DEAD);
        assertThat(Sonde.getActor("keeper", "shared")).isEmpty();
    }


    @Test
    void anActorNoNodeCanHostFailsAtOnceAsATaskDoes() {
        ActorHandle<Journal> huge = Sonde.actor(Journal::new, journal("huge")).numCpus(64).remote();
        assertThatThrownBy(() -> Sonde.get(huge.task(Journal::work, 0L).remote(), Duration.ofSeconds(5)))
                .isInstanceOf(ActorDiedException.class)
                .hasMessageContaining("cannot be scheduled")
                .hasMessageContaining("64");
        ObjectRef<Integer> task = Sonde.task(() -> 1).numCpus(64).remote();
        assertThatThrownBy(() -> Sonde.get(task, Duration.ofSeconds(5))).hasMessageContaining("cannot be scheduled");
    }
}
