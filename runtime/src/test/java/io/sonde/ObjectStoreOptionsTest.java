package io.sonde;

import io.sonde.internal.node.NodeConfig;
import io.sonde.internal.node.object.ObjectStoreSettings;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * {@code InitOptions.objectStoreMemory} and {@code objectSpillingDirectory}: {@code Sonde.init}
 * hands them to the embedded node, whose config then holds them; values the node cannot use are
 * refused when they are given, with the option, the problem and the fix.
 */
class ObjectStoreOptionsTest {
    /** Not created here: a spill directory that does not exist yet, under one that does, is taken. */
    private static final Path SPILL = Path.of("target", "object-store-options-test", "spill");

    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(1).memory(1L << 30)
            .objectStoreMemory(96L << 20).objectSpillingDirectory(SPILL);

    @TempDir
    Path dir;

    @Test
    void theEmbeddedNodesConfigHoldsTheStoresMemoryAndSpillDirectory() {
        NodeConfig config = cluster.nodeManager().config();

        assertThat(config.objectStore().capacity()).isEqualTo(96L << 20);
        assertThat(config.objectStore().spillDir()).isEqualTo(SPILL.toAbsolutePath());
        assertThat(config.objectStore().threshold()).isEqualTo(ObjectStoreSettings.DEFAULT_THRESHOLD);
        assertThat(config.spillDir()).isEqualTo(SPILL.toAbsolutePath());
        assertThat(cluster.hostedNode().objectStoreCapacity()).isEqualTo(96L << 20);
        assertThat(cluster.hostedNode().objectSpillingDirectory()).isEqualTo(SPILL.toAbsolutePath());
    }

    @Test
    void unsetTheyAreTheDefaults() {
        InitOptions options = new InitOptions();

        assertThat(options.objectStoreMemory()).isZero();
        assertThat(options.objectSpillingDirectory()).isEmpty();
    }

    @Test
    void aStoreOfNoBytesIsRefused() {
        assertThatThrownBy(() -> new InitOptions().objectStoreMemory(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("objectStoreMemory: 0 bytes is no object store: give more than 0 bytes, or leave it out for"
                        + " 30% of the node's memory.");
        assertThatThrownBy(() -> new InitOptions().objectStoreMemory(-1))
                .hasMessageStartingWith("objectStoreMemory: -1 bytes is no object store");
    }

    @Test
    void aRelativeSpillDirectoryIsMadeAbsolute() {
        Path relative = Path.of("target", "relative-spill");

        assertThat(new InitOptions().objectSpillingDirectory(relative).objectSpillingDirectory())
                .hasValue(relative.toAbsolutePath().normalize());
    }

    @Test
    void aSpillDirectoryThatIsAFileIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("spill"), "not a directory");

        assertThatThrownBy(() -> new InitOptions().objectSpillingDirectory(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("objectSpillingDirectory: " + file + " is a file, not a directory: give a directory (one"
                        + " that does not exist yet is created), or leave it out to spill into the session directory"
                        + " (<session>/spill).");
        assertThatThrownBy(() -> new InitOptions().objectSpillingDirectory(file.resolve("below")))
                .hasMessageContaining("does not exist and cannot be created: " + file + " is a file");
    }

    @Test
    void aSpillDirectoryThatIsNotWritableIsRefused() throws Exception {
        Path readOnly = Files.createDirectory(dir.resolve("read-only"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("r-xr-xr-x")));
        assumeThat(Files.isWritable(readOnly)).as("root writes anywhere").isFalse();

        assertThatThrownBy(() -> new InitOptions().objectSpillingDirectory(readOnly))
                .hasMessageStartingWith("objectSpillingDirectory: the directory " + readOnly + " is not writable")
                .hasMessageContaining("chmod u+w " + readOnly);
        assertThatThrownBy(() -> new InitOptions().objectSpillingDirectory(readOnly.resolve("spill")))
                .hasMessageContaining("does not exist and cannot be created: " + readOnly + " is not writable");
    }
}
