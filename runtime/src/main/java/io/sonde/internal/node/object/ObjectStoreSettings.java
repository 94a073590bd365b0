package io.sonde.internal.node.object;

import java.nio.file.Path;

/**
 * How a node's shared-memory object store is sized and where it spills.
 *
 * @param capacity  bytes of shared memory the store may hold ({@code --object-store-memory}); 0:
 *                  {@link #DEFAULT_FRACTION} of the node's memory when it starts
 * @param spillDir  where objects go when the store is full ({@code --object-spilling-directory});
 *                  null: {@code <session>/spill}
 * @param threshold values whose serialized form is larger than this many bytes go to the store;
 *                  smaller ones travel inline
 */
public record ObjectStoreSettings(long capacity, Path spillDir, long threshold) {
    /** Ray's plasma store takes 30% of the node's available memory. */
    public static final double DEFAULT_FRACTION = 0.30;
    /** Ray puts return values and puts larger than 100 KB in plasma; smaller ones stay in the owner's memory. */
    public static final long DEFAULT_THRESHOLD = 100 * 1024;

    public static final ObjectStoreSettings DEFAULT = new ObjectStoreSettings(0, null, DEFAULT_THRESHOLD);

    public ObjectStoreSettings {
        if (capacity < 0) {
            throw new IllegalArgumentException("the object store's memory must be a number of bytes (or 0 for "
                    + Math.round(DEFAULT_FRACTION * 100) + "% of the node's memory), got " + capacity);
        }
        if (threshold < 0) {
            throw new IllegalArgumentException("the object store's threshold must be 0 or more bytes, got " + threshold);
        }
    }

    public ObjectStoreSettings withCapacity(long bytes) {
        return new ObjectStoreSettings(bytes, spillDir, threshold);
    }

    public ObjectStoreSettings withSpillDir(Path dir) {
        return new ObjectStoreSettings(capacity, dir, threshold);
    }

    /** The capacity on a node with {@code nodeMemory} bytes. */
    public long capacityFor(long nodeMemory) {
        return capacity > 0 ? capacity : (long) (nodeMemory * DEFAULT_FRACTION);
    }
}
