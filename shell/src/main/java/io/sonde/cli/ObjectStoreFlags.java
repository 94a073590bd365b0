package io.sonde.cli;

import io.sonde.cli.table.Units;
import io.sonde.tooling.ObjectStoreOptions;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The object store's options of the verbs that start a node ({@code sonde start --head}, and the
 * embedded cluster of {@code sonde shell} and {@code sonde run}), mixed in with {@code @Mixin}:
 * {@code --object-store-memory BYTES} and {@code --object-spilling-directory DIR}.
 *
 * <p>Picocli fills one instance per verb while it parses; the verb calls {@link #check} before it
 * starts anything.
 */
final class ObjectStoreFlags {
    static final String MEMORY = "--object-store-memory";
    static final String SPILL_DIR = "--object-spilling-directory";

    @Option(names = MEMORY, paramLabel = "BYTES",
            description = "Shared memory of the node's object store, which holds the large values of tasks and puts:"
                    + " bytes, or 512m, 2g, 2GiB; at most the node's memory. Default: 30%% of the node's memory.")
    String memory;

    @Option(names = SPILL_DIR, paramLabel = "DIR",
            description = "Where the object store spills values when it is full; created if missing."
                    + " Default: spill/ in the node's session directory.")
    Path spillDir;

    /**
     * The options' values, checked.
     *
     * @param memory   bytes of the store; 0 when not given
     * @param spillDir the spill directory, absolute; null when not given
     */
    record Values(long memory, Path spillDir) {
        boolean given() {
            return memory > 0 || spillDir != null;
        }
    }

    /**
     * The options' values once they can be used: a size of more than 0 bytes, a spill directory
     * the node can write to or create and, when this process starts the node, a store no larger
     * than the node's memory.
     *
     * @param memoryBudget the node's {@code --memory} in bytes; 0 when not given
     * @param startsNode   whether the node starts here (not a cluster joined by address)
     * @throws IllegalArgumentException a value cannot be used; the message names the option, the
     *                                  problem and the fix
     */
    Values check(long memoryBudget, boolean startsNode) {
        long bytes = memory == null ? 0 : Units.objectStoreMemoryOption(memory);
        Path dir = spillDir == null ? null : ObjectStoreOptions.spillDir(SPILL_DIR, spillDir);
        if (startsNode && bytes > 0) {
            ObjectStoreOptions.checkFits(MEMORY, bytes, "--memory", memoryBudget);
        }
        return new Values(bytes, dir);
    }
}
