package demo;

import demo.OwnedPuts.Vault;
import io.sonde.ActorDiedException;
import io.sonde.ActorHandle;
import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.TaskException;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code Sonde.put(value, owner)}, Ray's {@code ray.put(value, _owner=actor)}: the object is the
 * actor's, so it outlives the driver that put it, where the driver's own object goes with it.
 */
class OwnedPutTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);

    @Test
    void anObjectPutWithADetachedActorAsItsOwnerOutlivesTheDriverThatPutItAndItsDriversOwnDoesNot() throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), OwnedPuts.class.getName(), cluster.address()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("SONDE_AUTH_TOKEN_PATH",
                cluster.nodeManager().config().sessionDir().resolve("auth_token").toString());
        Process other = pb.start();
        String out = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(other.waitFor(60, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(other.exitValue()).as(out).isZero();
        assertThat(out).contains("the vault keeps 2");

        ActorHandle<Vault> vault = Sonde.<Vault>getActor("vault", "owned").orElseThrow();
        // what must not be lost: the value the leaving driver gave the vault to own
        assertThat(Sonde.get(vault.task(Vault::read, 0).remote(), WAIT)).isEqualTo("owned by the vault");
        assertThatThrownBy(() -> Sonde.get(vault.task(Vault::read, 1).remote(), WAIT))
                .as("the driver's own object went with it").isInstanceOf(TaskException.class)
                .hasMessageContaining("does not exist on this cluster: its owner exited");
        Sonde.get(vault.terminate(), WAIT);
    }

    @Test
    void aPutWaitsForItsOwnerToStartAndOneWithADeadOwnerIsRefusedSayingWhy() {
        ActorHandle<Vault> starting = Sonde.actor(Vault::new).remote();
        ObjectRef<String> owned = Sonde.put("mine", starting); // the actor may still be starting
        assertThat(Sonde.get(owned)).isEqualTo("mine");
        assertThat(Sonde.get(starting.task(Vault::keep, List.of(owned)).remote(), WAIT)).isEqualTo(1);
        assertThat(Sonde.get(starting.task(Vault::read, 0).remote(), WAIT)).isEqualTo("mine");
        assertThat(Sonde.get(Sonde.task((List<ObjectRef<String>> l) -> Sonde.get(l.get(0)) + "!", List.of(owned))
                .remote(), WAIT)).isEqualTo("mine!");

        Sonde.kill(starting);
        assertThatThrownBy(() -> Sonde.put("too late", starting))
                .isInstanceOf(ActorDiedException.class)
                .hasMessageStartingWith("Sonde.put(value, owner): actor Vault (id=" + starting.actorId() + ") cannot own"
                        + " the object: it is dead (")
                .hasMessageEndingWith("); the object is not put. Put it with another owner, or with none.");
    }
}
