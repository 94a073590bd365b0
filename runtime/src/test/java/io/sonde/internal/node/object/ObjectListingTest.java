package io.sonde.internal.node.object;

import com.google.protobuf.ByteString;
import io.sonde.proto.ObjectInfo;
import io.sonde.proto.ObjectList;
import io.sonde.proto.ObjectStoreStats;
import io.sonde.proto.ObjectValue;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** What the node says of each object it keeps, from the store's snapshot. */
class ObjectListingTest {
    private record Client(String id, long pid, boolean driver) {
    }

    private static final Client DRIVER = new Client("c-driver", 4242, true);
    private static final Client WORKER = new Client("c-worker", 5151, false);
    private static final Function<Client, ObjectListing.Holder> HOLDER =
            c -> new ObjectListing.Holder(c.pid(), c.driver(), c.id(), "01000000");

    private static ObjectValue inline(int bytes) {
        return ObjectValue.newBuilder().setData(ByteString.copyFrom(new byte[bytes])).build();
    }

    private static Map<String, ObjectInfo> byId(ObjectList l) {
        return l.getObjectsList().stream().collect(Collectors.toMap(ObjectInfo::getObjectId, o -> o));
    }

    @Test
    void sizeLocationHolderAndReferenceTypeOfEachObject() {
        InlineObjectStore<Client> store = new InlineObjectStore<>();
        store.put("p1", DRIVER, inline(1000));
        store.callSite("p1", "Main.main(Main.java:12)");
        store.create("t1", WORKER);
        store.put("p2", DRIVER, ObjectValue.newBuilder().setSharedSize(5_000_000).build());
        store.put("p3", DRIVER, ObjectValue.newBuilder().setIsError(true).setData(ByteString.copyFrom(new byte[7])).build());
        store.retain("p1");
        store.retain("p1");

        ObjectList l = new ObjectListing("node-1").list(store.snapshot(), HOLDER);

        Map<String, ObjectInfo> o = byId(l);
        assertThat(o).hasSize(4);
        assertThat(o.get("p1")).satisfies(p -> {
            assertThat(p.getSizeBytes()).isEqualTo(1000);
            assertThat(p.getLocation()).isEqualTo("inline");
            assertThat(p.getReferenceType()).isEqualTo("PINNED_BY_TASK");
            assertThat(p.getPinnedByTasks()).isEqualTo(2);
            assertThat(p.getHolderPid()).isEqualTo(4242);
            assertThat(p.getHolderIsDriver()).isTrue();
            assertThat(p.getHolderId()).isEqualTo("c-driver");
            assertThat(p.getJobId()).isEqualTo("01000000");
            assertThat(p.getNodeId()).isEqualTo("node-1");
            assertThat(p.getCallSite()).isEqualTo("Main.main(Main.java:12)");
        });
        assertThat(o.get("t1")).satisfies(t -> {
            assertThat(t.getLocation()).isEqualTo("pending");
            assertThat(t.getSizeBytes()).isZero();
            assertThat(t.getReferenceType()).isEqualTo("LOCAL_REFERENCE");
            assertThat(t.getHolderIsDriver()).isFalse();
            assertThat(t.getCallSite()).isEmpty();
        });
        assertThat(o.get("p2").getLocation()).isEqualTo("shared");
        assertThat(o.get("p2").getSizeBytes()).isEqualTo(5_000_000);
        assertThat(o.get("p3").getLocation()).isEqualTo("failed");
        // in the node's heap: the inline value and the failure; not the pending one, not the shared one
        assertThat(l.getInlineObjects()).isEqualTo(2);
        assertThat(l.getInlineBytes()).isEqualTo(1007);
        assertThat(l.hasStore()).isFalse();
    }

    @Test
    void theStoreFillsItsFiguresAndSaysWhichSharedValuesWentToDisk() {
        InlineObjectStore<Client> store = new InlineObjectStore<>();
        // the store knows a value by its file's name, which a retried task's result does not share with its id
        store.put("on-disk", DRIVER, ObjectValue.newBuilder().setSharedSize(10).setSharedId("on-disk-1").build());
        store.put("in-memory", DRIVER, ObjectValue.newBuilder().setSharedSize(20).setSharedId("in-memory").build());
        ObjectStoreStats stats = ObjectStoreStats.newBuilder().setCapacityBytes(1 << 20).setObjects(1).build();

        ObjectList l = new ObjectListing("node-1", () -> stats, id -> id.equals("on-disk-1") ? "spilled" : "shared")
                .list(store.snapshot(), HOLDER);

        assertThat(byId(l).get("on-disk").getLocation()).isEqualTo("spilled");
        assertThat(byId(l).get("in-memory").getLocation()).isEqualTo("shared");
        assertThat(l.getStore()).isEqualTo(stats);
    }

    @Test
    void theSnapshotIsACopyThatLaterChangesDoNotTouch() {
        InlineObjectStore<Client> store = new InlineObjectStore<>();
        store.create("t1", DRIVER);
        var before = store.snapshot();

        store.complete("t1", inline(3));
        store.callSite("t1", "Main.main(Main.java:1)");
        store.release("t1", DRIVER); // ready, released, unused: gone

        assertThat(store.size()).isZero();
        assertThat(before).singleElement().satisfies(k -> {
            assertThat(k.value()).isNull();
            assertThat(k.callSite()).isEmpty();
            assertThat(k.ownerReleased()).isFalse();
        });
    }

    @Test
    void anEmptyCallSiteOrAnUnknownObjectChangesNothing() {
        InlineObjectStore<Client> store = new InlineObjectStore<>();
        store.create("t1", DRIVER);
        store.callSite("t1", "Main.main(Main.java:1)");
        store.callSite("t1", "");
        store.callSite("nope", "Main.main(Main.java:2)");

        assertThat(store.snapshot()).singleElement().extracting(KeptObject::callSite).isEqualTo("Main.main(Main.java:1)");
        assertThat(store.contains("nope")).isFalse();
    }
}
