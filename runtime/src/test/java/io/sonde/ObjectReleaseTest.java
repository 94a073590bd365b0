package io.sonde;

import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ObjectReleaseTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);

    private static int objects() {
        return cluster.nodeManager().objectCount();
    }

    @Test
    void objectsWhoseRefsAreGoneAreReleased() {
        int before = objects();
        for (int i = 0; i < 200; i++) {
            Sonde.put(new byte[100_000]);
            Sonde.get(Sonde.task(() -> 1).remote());
        }
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
            System.gc();
            return objects() < before + 50;
        });
    }

    @Test
    void aRefInsideAValueKeepsItsObjectAlive() {
        List<ObjectRef<String>> inner = new ArrayList<>();
        inner.add(Sonde.put("kept"));
        ObjectRef<List<ObjectRef<String>>> outer = Sonde.put(inner);
        inner.clear();
        for (int i = 0; i < 5; i++) {
            System.gc();
        }
        ObjectRef<String> read = Sonde.task((List<ObjectRef<String>> l) -> Sonde.get(l.get(0)), outer).remote();
        assertThat(Sonde.get(read)).isEqualTo("kept");
    }

    @Test
    void anArgumentStaysUntilItsTaskIsDoneEvenWhenTheDriverDroppedIt() {
        ObjectRef<Integer> result = Sonde.task((byte[] b) -> {
            Thread.sleep(1000);
            return b.length;
        }, Sonde.put(new byte[1234])).remote();
        for (int i = 0; i < 5; i++) {
            System.gc();
        }
        assertThat(Sonde.get(result)).isEqualTo(1234);
    }
}
