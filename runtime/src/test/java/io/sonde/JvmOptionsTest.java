package io.sonde;

import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code jvmOptions(...)} of a task or an actor (Ray Java's {@code setJvmOptions}): it runs in a
 * real worker JVM started with them, and workers started with different options, or with none,
 * never run each other's tasks.
 */
class JvmOptionsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);

    /** "FLAVOR PID MAXHEAP_MIB": what this worker JVM was started with. */
    static String whereAmI() {
        return System.getProperty("sonde.test.flavor") + " " + ProcessHandle.current().pid() + " "
                + (Runtime.getRuntime().maxMemory() >> 20);
    }

    public static final class Probe {
        public String where() {
            return whereAmI();
        }
    }

    @Test
    void aTaskRunsInAWorkerStartedWithItsOptionsAndWorkersOfOtherOptionsAreNotShared() {
        String a = Sonde.get(Sonde.task(JvmOptionsTest::whereAmI).jvmOptions("-Dsonde.test.flavor=a").remote(), WAIT);
        String b = Sonde.get(Sonde.task(JvmOptionsTest::whereAmI).jvmOptions("-Dsonde.test.flavor=b").remote(), WAIT);
        String again = Sonde.get(Sonde.task(JvmOptionsTest::whereAmI).jvmOptions("-Dsonde.test.flavor=a").remote(),
                WAIT);
        assertThat(a).startsWith("a ");
        assertThat(b).startsWith("b ");
        assertThat(again).startsWith("a ");
        assertThat(pid(a)).isNotEqualTo(pid(b));

        // plain tasks, while the workers above are idle: none of them runs there
        List<ObjectRef<String>> plain = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            plain.add(Sonde.task(JvmOptionsTest::whereAmI).remote());
        }
        assertThat(Sonde.get(plain, WAIT)).allSatisfy(p -> {
            assertThat(p).startsWith("null ");
            assertThat(pid(p)).isNotIn(pid(a), pid(b), pid(again));
        });
    }

    @Test
    void anActorStartsInAWorkerOfItsOwnWithItsOptionsTheLastMaxHeapWinning() {
        ActorHandle<Probe> p = Sonde.actor(Probe::new).jvmOptions("-Xmx300m", "-Xmx96m", "-Dsonde.test.flavor=actor")
                .remote();
        String where = Sonde.get(p.task(Probe::where).remote(), WAIT);
        assertThat(where).startsWith("actor ");
        assertThat(Long.parseLong(where.split(" ")[2])).isLessThanOrEqualTo(96);

        String plainActor = Sonde.get(Sonde.actor(Probe::new).remote().task(Probe::where).remote(), WAIT);
        assertThat(plainActor).startsWith("null ");
    }

    @Test
    void aBadOptionFailsOnlyTheTasksThatAskedForIt() {
        ObjectRef<String> bad = Sonde.task(JvmOptionsTest::whereAmI).jvmOptions("-XX:+NoSuchSondeFlag").remote();
        ObjectRef<String> good = Sonde.task(JvmOptionsTest::whereAmI).remote();
        assertThatThrownBy(() -> Sonde.get(bad, WAIT)).isInstanceOf(WorkerCrashedException.class)
                .hasMessageContaining("started with the task's jvmOptions [-XX:+NoSuchSondeFlag]")
                .hasMessageContaining("Check the task's jvmOptions");
        assertThat(Sonde.get(good, WAIT)).startsWith("null ");

        ActorHandle<Probe> badActor = Sonde.actor(Probe::new).jvmOptions("-XX:+NoSuchSondeFlag").remote();
        assertThatThrownBy(() -> Sonde.get(badActor.task(Probe::where).remote(), WAIT))
                .isInstanceOf(ActorDiedException.class)
                .hasMessageContaining("Unrecognized VM option 'NoSuchSondeFlag'");
    }

    @Test
    void optionsSondeSetsOrEmptyOnesAreRefused() {
        assertThatThrownBy(() -> Sonde.task(JvmOptionsTest::whereAmI).jvmOptions("-cp", "lib.jar"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("jvmOptions got '-cp', which Sonde sets itself on a worker's command line");
        assertThatThrownBy(() -> Sonde.actor(Probe::new).jvmOptions("-Xmx1g", ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("jvmOptions got an empty string");
        assertThatThrownBy(() -> Sonde.actor(Probe::new).jvmOptions("Xmx1g"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("which is not one JVM option");
    }

    private static long pid(String where) {
        return Long.parseLong(where.split(" ")[1]);
    }
}
