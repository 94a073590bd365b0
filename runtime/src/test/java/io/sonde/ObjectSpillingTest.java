package io.sonde;

import io.sonde.proto.ObjectInfo;
import io.sonde.proto.ObjectStoreStats;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.sonde.ObjectStoreTest.crc;
import static io.sonde.ObjectStoreTest.pattern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The object store under a small capacity (64 MiB, from the node's options) on real worker JVMs:
 * more than it holds is spilled to disk and read back byte-identical; memory comes back when refs
 * go; refs inside values keep their objects until the last borrower lets go. What must not be
 * lost: a value in scope, however full the store; and an object a borrower still holds.
 */
class ObjectSpillingTest {
    private static final long CAPACITY = 64L << 20;
    private static final int MIB = 1 << 20;
    private static final Duration GET = Duration.ofSeconds(120);

    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2).objectStoreMemory(CAPACITY);

    private static ObjectStoreStats stats() {
        return cluster.nodeManager().objectStoreStats();
    }

    private static boolean kept(String id) {
        return cluster.nodeManager().listObjects().getObjectsList().stream().map(ObjectInfo::getObjectId)
                .anyMatch(id::equals);
    }

    @Test
    void theStoresCapacityComesFromTheNodesOptions() {
        assertThat(stats().getCapacityBytes()).isEqualTo(CAPACITY);
    }

    @Test
    void threeTimesTheCapacityIsSpilledAndReadBackByteIdenticalWithoutAPutFailing() {
        long spilledBefore = stats().getSpilledObjects();
        List<ObjectRef<byte[]>> refs = new ArrayList<>();
        List<Long> crcs = new ArrayList<>();
        for (int i = 0; i < 12; i++) { // 12 x 16 MiB = 3 x 64 MiB, all in scope
            byte[] b = pattern(16 * MIB, i);
            crcs.add(crc(b));
            refs.add(Sonde.put(b));
            assertThat(stats().getUsedBytes()).isLessThanOrEqualTo(CAPACITY);
        }
        assertThat(stats().getSpilledObjects() - spilledBefore).isGreaterThanOrEqualTo(8);
        // read back in the driver, and in a task (from the spill files, for most)
        for (int i = 0; i < refs.size(); i++) {
            assertThat(crc(Sonde.get(refs.get(i)))).as("object %d", i).isEqualTo(crcs.get(i));
        }
        List<ObjectRef<Long>> inTasks = new ArrayList<>();
        for (ObjectRef<byte[]> r : refs) {
            inTasks.add(Sonde.task((byte[] b) -> crc(b), r).remote());
        }
        assertThat(Sonde.get(inTasks, GET)).containsExactlyElementsOf(crcs);
        assertThat(stats().getRestoredObjects()).isPositive();
    }

    @Test
    void puttingAndDroppingTenTimesTheCapacityOneAtATimeSpillsNothingAndLeavesTheStoreEmpty() {
        long spilledBefore = stats().getSpilledObjects();
        long usedBefore = stats().getUsedBytes();
        for (int i = 0; i < 20; i++) { // 20 x 32 MiB = 10 x 64 MiB
            ObjectRef<byte[]> r = Sonde.put(new byte[32 * MIB]);
            assertThat(Sonde.get(r)).hasSize(32 * MIB);
            String id = r.id();
            r = null;
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
                System.gc();
                return !kept(id);
            });
        }
        assertThat(stats().getSpilledObjects()).isEqualTo(spilledBefore);
        await().atMost(Duration.ofSeconds(10)).until(() -> stats().getUsedBytes() == usedBefore);
    }

    /** Holds the refs it was given, until told to let go. */
    public static final class Holder {
        private ObjectRef<byte[]> kept;

        public int keep(List<ObjectRef<byte[]>> refs) {
            kept = refs.get(0);
            return 1;
        }

        public int read() {
            return Sonde.get(kept).length;
        }

        public int letGo() {
            kept = null;
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            return 0;
        }
    }

    /** A value that holds a ref. */
    record Box(ObjectRef<byte[]> inner) implements Serializable {
    }

    @Test
    void aRefInsideAValueKeepsItsObjectUntilTheLastBorrowerLetsGo() {
        ActorHandle<Holder> holder = Sonde.actor(Holder::new).remote();
        ObjectRef<byte[]> inner = Sonde.put(pattern(MIB, 42));
        String innerId = inner.id();
        ObjectRef<List<ObjectRef<byte[]>>> outer = Sonde.put(new ArrayList<>(List.of(inner)));
        assertThat(Sonde.get(holder.task(Holder::keep, outer).remote(), GET)).isEqualTo(1);
        inner = null;
        outer = null;
        // the driver holds nothing now; the actor borrowed the inner ref: the object stays, whole
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> kept(innerId));
        assertThat(Sonde.get(holder.task(Holder::read).remote(), GET)).isEqualTo(MIB);
        // the last borrower lets go: the object goes
        Sonde.get(holder.task(Holder::letGo).remote(), GET);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Sonde.get(holder.task(Holder::letGo).remote(), GET);
            return !kept(innerId);
        });
        Sonde.kill(holder);
    }

    /** Puts a value and returns a ref to it inside a Box; collects its garbage when asked. */
    public static final class Producer {
        public Box make() {
            return new Box(Sonde.put(pattern(MIB, 9)));
        }

        public int gc() {
            System.gc();
            return 0;
        }
    }

    @Test
    void aRefReturnedInsideAResultStaysUntilItsOwnerAndTheDriverHaveBothLetGo() {
        ActorHandle<Producer> producer = Sonde.actor(Producer::new).remote();
        ObjectRef<Box> boxed = producer.task(Producer::make).remote();
        Box box = Sonde.get(boxed, GET);
        String innerId = box.inner().id();
        boxed = null;
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        // its owner, the actor's worker, dropped its ref; the driver borrowed it
        Sonde.get(producer.task(Producer::gc).remote(), GET);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> kept(innerId));
        assertThat(crc(Sonde.get(box.inner()))).isEqualTo(crc(pattern(MIB, 9)));
        box = null;
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            System.gc();
            return !kept(innerId);
        });
        Sonde.kill(producer);
    }
}
