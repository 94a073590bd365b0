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
 * A non-detached actor ends once no process holds a handle to it and no call of it is pending, as
 * Ray ends an actor out of scope: its {@code close()} runs. Handles in a task's arguments and in
 * the worker that reads them count; a name does not keep an actor alive, and a handle got by
 * name counts as any other.
 */
class ActorScopeTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);

    /** For the class: an actor ended after its test (its close() writing here) finds its directory. */
    @TempDir
    static Path dir;

    private static String journal(String name) {
        return dir.resolve(name).toString();
    }

    /** A task that holds the handle it was given for a while, then calls the actor through it. */
    static int callLater(ActorHandle<Journal> h) throws Exception {
        Thread.sleep(1000);
        return Sonde.get(h.task(Journal::work, 0L).remote());
    }

    @Test
    void anActorWhoseLastHandleWentEndsAfterItsPendingCallsAndIsClosed() throws Exception {
        String file = journal("dropped");
        ActorHandle<Journal> a = Sonde.actor(Journal::new, file).remote();
        String id = a.actorId();
        long pid = Sonde.get(a.task(Journal::pid).remote());
        ObjectRef<Integer> pending = a.task(Journal::work, 700L).remote();
        a = null; // the driver's only handle goes

        await().atMost(WAIT).until(() -> {
            System.gc();
            return read(file).equals("closed after 1\n");
        });
        assertThat(Sonde.get(pending)).as("the call submitted before the handle went ran first").isEqualTo(1);
        // close() writes the file before its worker's answer reaches the node, which then marks the actor DEAD
        ActorInfo info = await().atMost(WAIT).until(() -> Lifetimes.actor(cluster, id),
                i -> i.getState() == ActorInfo.State.DEAD);
        assertThat(info.getState()).isEqualTo(ActorInfo.State.DEAD);
        assertThat(info.getDeathCause()).contains("its last handle went").contains("no call of it was pending");
        await().atMost(WAIT).until(() -> !alive(pid));
    }


    @Test
    void aHandlePassedToATaskKeepsTheActorWhileTheTaskHoldsIt() throws Exception {
        String file = journal("lent");
        ActorHandle<Journal> a = Sonde.actor(Journal::new, file).remote();
        assertThat(Sonde.get(a.task(Journal::work, 0L).remote())).isEqualTo(1);
        ObjectRef<Integer> viaTask = Sonde.task(ActorScopeTest::callLater, a).remote();
        String id = a.actorId();
        a = null; // the task's argument and the worker that reads it hold the actor now

        await().during(Duration.ofMillis(700)).atMost(WAIT).until(() -> {
            System.gc();
            return read(file).isEmpty();
        });
        assertThat(Sonde.get(viaTask)).as("the task's handle reached the live actor").isEqualTo(2);
        assertThat(Lifetimes.actor(cluster, id).getState()).isEqualTo(ActorInfo.State.ALIVE);
    }


    @Test
    void aNamedActorStillEndsWhenItsLastHandleGoesAndGetActorCountsAsAHandle() throws Exception {
        String file = journal("named");
        ActorHandle<Journal> a = Sonde.actor(Journal::new, file).name("scoped").remote();
        assertThat(Sonde.get(a.task(Journal::work, 0L).remote())).isEqualTo(1);
        ActorHandle<Journal> found = Sonde.<Journal>getActor("scoped").orElseThrow();
        a = null;
        await().during(Duration.ofMillis(800)).atMost(WAIT).until(() -> {
            System.gc();
            return read(file).isEmpty();
        });
        assertThat(Sonde.get(found.task(Journal::work, 0L).remote())).isEqualTo(2);
        found = null; // a name does not keep it alive, as in Ray

        await().atMost(WAIT).until(() -> {
            System.gc();
            return read(file).equals("closed after 2\n");
        });
        assertThat(Sonde.getActor("scoped")).as("its name is free").isEmpty();
    }

    @Test
    void aHandleHeldInAValueKeepsTheActorWhileTheValueLives() throws Exception {
        String file = journal("boxed");
        ActorHandle<Journal> a = Sonde.actor(Journal::new, file).remote();
        assertThat(Sonde.get(a.task(Journal::work, 0L).remote())).isEqualTo(1);
        ObjectRef<List<ActorHandle<Journal>>> boxed = Sonde.put(List.of(a));
        a = null; // the value in the node holds the actor now

        await().during(Duration.ofMillis(700)).atMost(WAIT).until(() -> {
            System.gc();
            return read(file).isEmpty();
        });
        ActorHandle<Journal> back = Sonde.get(boxed).get(0);
        assertThat(Sonde.get(back.task(Journal::work, 0L).remote())).isEqualTo(2);
        back = null;
        boxed = null; // the value goes, and with it the last handle

        await().atMost(WAIT).until(() -> {
            System.gc();
            return read(file).equals("closed after 2\n");
        });
    }
}
