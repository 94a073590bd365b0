package io.sonde.cli;

import io.sonde.ActorHandle;
import io.sonde.ActorLifetime;
import io.sonde.Sonde;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code sonde list actors}: each actor's namespace and lifetime beside its name and state. */
class ListActorsTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(1);

    public static final class Box {
        public int one() {
            return 1;
        }
    }

    @Test
    void theListShowsEachActorsNamespaceAndLifetime() {
        ActorHandle<Box> kept = Sonde.actor(Box::new).name("kept").namespace("shared").lifetime(ActorLifetime.DETACHED)
                .remote();
        ActorHandle<Box> plain = Sonde.actor(Box::new).name("plain").remote();
        assertThat(Sonde.get(kept.task(Box::one).remote(), Duration.ofSeconds(30))).isEqualTo(1);
        assertThat(Sonde.get(plain.task(Box::one).remote(), Duration.ofSeconds(30))).isEqualTo(1);

        Cli.Run list = Cli.sonde("list", "actors", "--address", cluster.address());
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.out().lines().findFirst().orElseThrow())
                .containsPattern("ACTOR_ID +CLASS +NAME +NAMESPACE +LIFETIME +STATE +PID");
        assertThat(list.out()).containsPattern(kept.actorId() + " +Box +kept +shared +DETACHED +ALIVE +\\d+")
                .containsPattern(plain.actorId() + " +Box +plain +\\S+ +NON_DETACHED +ALIVE +\\d+");
        Sonde.kill(kept);
        java.lang.ref.Reference.reachabilityFence(plain);
    }
}
