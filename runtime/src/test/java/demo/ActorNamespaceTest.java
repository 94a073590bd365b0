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
 * Named actors are unique in their namespace, as Ray's: the same name may be taken in another
 * namespace, a driver finds the actors of a namespace it shares with another driver, and not those
 * of another job's anonymous namespace.
 */
class ActorNamespaceTest {
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
    void namedActorsAreUniqueInANamespaceAndFoundFromAnotherDriverInIt() throws Exception {
        ActorHandle<Journal> counter = Sonde.actor(Journal::new, journal("counter")).name("counter")
                .namespace("shared").remote();
        ActorHandle<Journal> mine = Sonde.actor(Journal::new, journal("private")).name("private").remote();
        ActorHandle<Journal> elsewhere = Sonde.actor(Journal::new, journal("elsewhere")).name("counter")
                .namespace("elsewhere").remote();
        assertThat(Sonde.get(elsewhere.task(Journal::work, 0L).remote())).as("the same name in another namespace")
                .isEqualTo(1);
        assertThat(Sonde.get(counter.task(Journal::work, 0L).remote())).isEqualTo(1);

        assertThatThrownBy(() -> Sonde.actor(Journal::new, journal("twin")).name("counter").namespace("shared")
                .remote()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("an actor named 'counter' already exists in namespace 'shared'")
                .hasMessageContaining("id=" + counter.actorId());
        assertThat(Sonde.getActor("counter")).as("this job's namespace is an anonymous one").isEmpty();
        assertThat(Sonde.<Journal>getActor("private")).contains(mine);
        assertThat(Sonde.<Journal>getActor("counter", "shared")).contains(counter);
        assertThat(Sonde.<Journal>getActor("counter", "elsewhere")).contains(elsewhere);

        assertThat(Lifetimes.otherDriver(cluster, "lookup")).contains("counter answered 2").contains("private absent");
        assertThat(Sonde.get(counter.task(Journal::work, 0L).remote())).isEqualTo(3);
    }
}
