package io.sonde.internal.node.object;

import io.sonde.proto.ObjectInfo;
import io.sonde.proto.ObjectList;
import io.sonde.proto.ObjectStoreStats;
import io.sonde.proto.ObjectValue;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The node's answer to {@code sonde memory}: every object it keeps, where its value is, who holds
 * it and why, and the object store's figures.
 *
 * <pre>
 *   node lock ──▶ ObjectStore.snapshot() ──▶ List&lt;KeptObject&gt;   (copies, under the lock)
 *                                                 │
 *                 ObjectListing.list(...)  ◀──────┘               (after the lock)
 *                   size, location, reference type, holder ──▶ ObjectList
 * </pre>
 *
 * <p>It runs after the node's lock is let go, so that listing a hundred thousand objects does not
 * hold up the node's messages; the snapshot it reads is a copy. Thread-safe: it keeps no state of
 * its own; the store's figures and the locations of shared objects are asked for at each listing.
 */
public final class ObjectListing {
    /** The process that holds an object's ref, as the listing names it. */
    public record Holder(long pid, boolean driver, String clientId, String jobId) {
        public static final Holder NONE = new Holder(0, false, "", "");
    }

    private final String nodeId;
    private final Supplier<ObjectStoreStats> store;
    private final Function<String, String> sharedLocation;

    /** For a node without a shared-memory store: every value is inline, the listing's store is unset. */
    public ObjectListing(String nodeId) {
        this(nodeId, () -> null, id -> "shared");
    }

    /**
     * @param store          the store's figures at this instant; null when the node runs no store
     * @param sharedLocation where a value kept by the store is, by object id: "shared", or "spilled"
     *                       once it went to disk (the listing cannot tell those apart from the value)
     */
    public ObjectListing(String nodeId, Supplier<ObjectStoreStats> store, Function<String, String> sharedLocation) {
        this.nodeId = nodeId;
        this.store = Objects.requireNonNull(store, "store");
        this.sharedLocation = Objects.requireNonNull(sharedLocation, "sharedLocation");
    }

    /** The objects of a snapshot, with their holders as {@code holder} names the owners. */
    public <C> ObjectList list(List<KeptObject<C>> objects, Function<C, Holder> holder) {
        ObjectList.Builder list = ObjectList.newBuilder();
        int inlineObjects = 0;
        long inlineBytes = 0;
        for (KeptObject<C> o : objects) {
            ObjectValue v = o.value();
            Holder h = o.owner() == null ? Holder.NONE : holder.apply(o.owner());
            String location = location(o.id(), v);
            long size = size(v);
            if (location.equals("inline") || location.equals("failed")) {
                inlineObjects++;
                inlineBytes += size;
            }
            list.addObjects(ObjectInfo.newBuilder()
                    .setObjectId(o.id())
                    .setNodeId(nodeId)
                    .setSizeBytes(size)
                    .setLocation(location)
                    .setHolderPid(h.pid())
                    .setHolderIsDriver(h.driver())
                    .setHolderId(h.clientId())
                    .setJobId(h.jobId())
                    .setReferenceType(referenceType(o))
                    .setPinnedByTasks(o.taskRefs())
                    .setCallSite(o.callSite()));
        }
        list.setInlineObjects(inlineObjects).setInlineBytes(inlineBytes);
        ObjectStoreStats stats = store.get();
        if (stats != null) {
            list.setStore(stats);
        }
        return list.build();
    }

    /** The serialized size: in shared memory when the store keeps it, else the inline bytes; 0 while pending. */
    static long size(ObjectValue v) {
        if (v == null) {
            return 0;
        }
        return v.getSharedSize() > 0 ? v.getSharedSize() : v.getData().size();
    }

    /**
     * Why the object is kept, the strongest reason first: a task takes it, its owner holds a ref,
     * another process borrowed a ref, a kept value holds a ref to it.
     */
    static String referenceType(KeptObject<?> o) {
        if (o.taskRefs() > 0) {
            return "PINNED_BY_TASK";
        }
        if (!o.ownerReleased()) {
            return "LOCAL_REFERENCE";
        }
        if (o.borrowers() > 0) {
            return "BORROWED";
        }
        return o.captured() > 0 ? "CAPTURED_IN_OBJECT" : "LOCAL_REFERENCE";
    }

    private String location(String id, ObjectValue v) {
        if (v == null) {
            return "pending";
        }
        if (v.getIsError()) {
            return "failed";
        }
        return v.getSharedSize() > 0 ? sharedLocation.apply(v.getSharedId()) : "inline"; // the store knows it by its file
    }
}
