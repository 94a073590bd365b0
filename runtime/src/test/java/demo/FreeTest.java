package demo;

import io.sonde.ObjectFreedException;
import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code Sonde.free} drops objects before their refs go, as Ray's {@code ray.internal.free}: their
 * memory comes back at once and later reads say who freed them. In a package of its own so that the
 * site named is the program's line. What must not be lost: the objects not freed.
 */
class FreeTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);

    private static long used() {
        return cluster.nodeManager().objectStoreStats().getUsedBytes();
    }

    @Test
    void freedObjectsLeaveTheStoreAtOnceAndLaterReadsSayWhoFreedThem() {
        long before = used();
        ObjectRef<byte[]> large = Sonde.put(new byte[50 << 20]);
        ObjectRef<String> small = Sonde.put("small");
        ObjectRef<String> kept = Sonde.put("kept");
        assertThat(used() - before).isGreaterThanOrEqualTo(50 << 20);

        Sonde.free(List.of(large, small));

        await().atMost(Duration.ofSeconds(10)).until(() -> used() - before < (1 << 20));
        assertThatThrownBy(() -> Sonde.get(large)).isInstanceOf(ObjectFreedException.class)
                .hasMessageContaining("2 objects (" + large.id() + ", " + small.id() + ") freed by Sonde.free in the driver"
                        + " (pid " + ProcessHandle.current().pid() + ") at demo.FreeTest.freedObjectsLeaveTheStore");
        assertThatThrownBy(() -> Sonde.get(small)).isInstanceOf(ObjectFreedException.class);
        // a task that takes it fails with the same failure, as with any failed argument
        ObjectRef<Integer> task = Sonde.task((byte[] b) -> b.length, large).name("reader").remote();
        assertThatThrownBy(() -> Sonde.get(task)).isInstanceOf(ObjectFreedException.class)
                .hasMessageContaining("freed by Sonde.free");
        assertThat(Sonde.get(kept)).isEqualTo("kept");
    }

    @Test
    void aResultFreedBeforeItIsComputedIsDroppedWhenItComes() {
        ObjectRef<byte[]> pending = Sonde.task(() -> {
            Thread.sleep(1000);
            return new byte[20 << 20];
        }).name("slow").remote();
        long before = used();
        Sonde.free(List.of(pending));
        assertThatThrownBy(() -> Sonde.get(pending, Duration.ofSeconds(30))).isInstanceOf(ObjectFreedException.class)
                .hasMessageContaining("object " + pending.id() + " freed by Sonde.free");
        await("the late result's bytes go too").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                .until(() -> used() <= before);
    }
}
