package io.sonde.tooling;

import io.sonde.internal.cluster.ObjectStoreChecks;
import io.sonde.internal.node.memory.NodeMemory;
import io.sonde.internal.node.object.ObjectStoreSettings;

import java.nio.file.Path;

/**
 * The checks of the object store's flags ({@code --object-store-memory},
 * {@code --object-spilling-directory}) that the CLI makes before it starts a node, so that a
 * bad value fails at once, named as the flag, rather than in the head's output. The node makes
 * them again as it starts. Stateless.
 */
public final class ObjectStoreOptions {
    /** The share of the node's memory the store takes when its memory is not set (30%, as Ray's). */
    public static final double DEFAULT_FRACTION = ObjectStoreSettings.DEFAULT_FRACTION;

    private ObjectStoreOptions() {
    }

    /**
     * {@code dir} as an absolute path when the node can spill there: a writable directory, or one
     * it can create.
     *
     * @throws IllegalArgumentException it is a file, not writable or cannot be created; the message
     *                                  starts with {@code flag}
     */
    public static Path spillDir(String flag, Path dir) {
        return ObjectStoreChecks.spillDir(flag, dir);
    }

    /**
     * Refuses a store of {@code bytes} (0: the default share) larger than the memory a node started
     * here would have: {@code memoryBudget} when it is more than 0, else this process's cgroup limit
     * or the machine's memory.
     *
     * @throws IllegalArgumentException it does not fit; the message starts with {@code flag} and
     *                                  names {@code memoryFlag}
     */
    public static void checkFits(String flag, long bytes, String memoryFlag, long memoryBudget) {
        ObjectStoreChecks.fits(flag, bytes, NodeMemory.detect(memoryBudget).total(), memoryFlag, memoryBudget > 0);
    }
}
