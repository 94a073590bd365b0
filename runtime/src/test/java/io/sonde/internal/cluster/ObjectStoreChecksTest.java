package io.sonde.internal.cluster;

import io.sonde.internal.node.object.ObjectStoreSettings;
import io.sonde.testing.SondeRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A node refuses object store settings it cannot use as it starts, before its session directory
 * or server exist: a store larger than the node's memory, a spill directory that is a file.
 */
class ObjectStoreChecksTest {
    @RegisterExtension
    final SondeRoot root = SondeRoot.temporary();

    @TempDir
    Path dir;

    @Test
    void aStoreLargerThanTheNodesBudgetIsRefusedBeforeTheNodeStarts() throws Exception {
        ObjectStoreSettings store = ObjectStoreSettings.DEFAULT.withCapacity(512L << 20);

        assertThatThrownBy(() -> LocalNode.start(1, 256L << 20, Map.of(), store))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("objectStoreMemory (--object-store-memory): 512.0 MiB is more than the node's memory,"
                        + " 256.0 MiB (set by memory (--memory)). Give at most 256.0 MiB, or raise memory (--memory),"
                        + " or leave it out for 30% of the node's memory (76.8 MiB).");
        try (Stream<Path> sessions = Files.list(root.path())) {
            assertThat(sessions).as("no session directory").isEmpty();
        }
    }

    @Test
    void aStoreOfTheWholeBudgetFits() {
        ObjectStoreChecks.fits("--object-store-memory", 1L << 30, 1L << 30, "--memory", true);
        ObjectStoreChecks.fits("--object-store-memory", 0, 1L << 30, "--memory", true);
    }

    @Test
    void withoutABudgetTheMessageNamesTheCgroupOrMachine() {
        assertThatThrownBy(() -> ObjectStoreChecks.fits("--object-store-memory", 2L << 30, 1L << 30, "--memory", false))
                .hasMessage("--object-store-memory: 2.00 GiB is more than the node's memory, 1.00 GiB (its cgroup's"
                        + " limit, else the machine's memory). Give at most 1.00 GiB, or leave it out for 30% of the"
                        + " node's memory (307.2 MiB).");
    }

    @Test
    void aSpillDirectoryThatIsAFileIsRefusedBeforeTheNodeStarts() throws Exception {
        Path file = Files.writeString(dir.resolve("spill"), "");
        ObjectStoreSettings store = ObjectStoreSettings.DEFAULT.withSpillDir(file);

        assertThatThrownBy(() -> LocalNode.start(1, 0, Map.of(), store))
                .hasMessageStartingWith("objectSpillingDirectory (--object-spilling-directory): " + file
                        + " is a file, not a directory");
        try (Stream<Path> sessions = Files.list(root.path())) {
            assertThat(sessions).as("no session directory").isEmpty();
        }
    }

    @Test
    void aSpillDirectoryIsTakenAbsoluteWhetherOrNotItExists() throws Exception {
        assertThat(ObjectStoreChecks.spillDir("--object-spilling-directory", dir)).isEqualTo(dir.toAbsolutePath());
        assertThat(ObjectStoreChecks.spillDir("--object-spilling-directory", dir.resolve("a/b/../c")))
                .isEqualTo(dir.toAbsolutePath().resolve("a/c"));
        assertThat(dir.resolve("a")).as("not created by the check").doesNotExist();
    }
}
