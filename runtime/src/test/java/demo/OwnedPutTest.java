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

import java.time.Duration;
import java.util.List;

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
        String out = Lifetimes.otherDriver(cluster, OwnedPuts.class);
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
