package io.sonde.cli;

import io.sonde.cli.table.Units;
import io.sonde.testing.SondeRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code --object-store-memory BYTES} and {@code --object-spilling-directory DIR} on the verbs that
 * start a node: sizes as {@code --memory} takes them, values the node cannot use refused before
 * anything starts (exit 2, naming the flag, the problem and the fix), and {@code sonde start
 * --head} handing them on to the head daemon's node.
 */
class ObjectStoreFlagsTest {
    @RegisterExtension
    final SondeRoot root = SondeRoot.temporary();

    @TempDir
    Path dir;

    @Test
    void theStoresMemoryIsReadAsMemoryIs() {
        assertThat(Units.objectStoreMemoryOption("1073741824")).isEqualTo(1L << 30);
        assertThat(Units.objectStoreMemoryOption("512m")).isEqualTo(512L << 20);
        assertThat(Units.objectStoreMemoryOption("2g")).isEqualTo(2L << 30);
        assertThat(Units.objectStoreMemoryOption("100MiB")).isEqualTo(100L << 20);
        assertThat(Units.objectStoreMemoryOption("1.5GiB")).isEqualTo(3L << 29);
        assertThat(Units.objectStoreMemoryOption("64k")).isEqualTo(64L << 10);
        assertThat(Units.memoryOption("100MiB")).isEqualTo(100L << 20);
    }

    @Test
    void aSizeThatCannotBeUsedNamesTheFlagTheProblemAndTheFix() {
        assertThatThrownBy(() -> Units.objectStoreMemoryOption("lots"))
                .hasMessage("--object-store-memory: \"lots\" is not a size: write bytes (1073741824) or a number with a"
                        + " binary unit (512m, 512MiB, 1g, 1GiB).");
        assertThatThrownBy(() -> Units.objectStoreMemoryOption("-1g"))
                .hasMessage("--object-store-memory: \"-1g\" is negative: give a size of more than 0 bytes (1073741824,"
                        + " 512m, 1g, 1GiB), or leave it out for 30% of the node's memory.");
        assertThatThrownBy(() -> Units.objectStoreMemoryOption("0"))
                .hasMessage("--object-store-memory: \"0\" is no memory: give more than 0 bytes, or leave it out for"
                        + " 30% of the node's memory.");
        // --memory says the same of its own values, as before
        assertThatThrownBy(() -> Units.memoryOption("lots"))
                .hasMessage("--memory: \"lots\" is not a size: write bytes (1073741824) or a number with a binary unit"
                        + " (512m, 512MiB, 1g, 1GiB).");
        assertThatThrownBy(() -> Units.memoryOption("0"))
                .hasMessage("--memory: \"0\" is no memory: give more than 0 bytes, or leave it out for the cgroup's"
                        + " limit or the machine's memory.");
        assertThatThrownBy(() -> Units.memoryOption("-5")).hasMessageStartingWith("--memory: \"-5\" is negative");
    }

    @Test
    void startRefusesValuesTheNodeCannotUseBeforeAnythingStarts() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "");
        assertRefused(Cli.sonde("start", "--head", "--port", "0", "--object-store-memory", "lots"),
                "--object-store-memory: \"lots\" is not a size");
        assertRefused(Cli.sonde("start", "--head", "--port", "0", "--object-store-memory", "-1"),
                "--object-store-memory: \"-1\" is negative");
        assertRefused(Cli.sonde("start", "--head", "--port", "0", "--object-spilling-directory", file.toString()),
                "--object-spilling-directory: " + file + " is a file, not a directory: give a directory (one that"
                        + " does not exist yet is created), or leave it out to spill into the session directory"
                        + " (<session>/spill).");
        assertRefused(Cli.sonde("start", "--head", "--port", "0", "--memory", "1g", "--object-store-memory", "2g"),
                "--object-store-memory: 2.00 GiB is more than the node's memory, 1.00 GiB (set by --memory). Give at"
                        + " most 1.00 GiB, or raise --memory, or leave it out for 30% of the node's memory (307.2 MiB).");
        assertRefused(Cli.sonde("start", "--head", "--port", "0", "--object-store-memory", "1024t"),
                "--object-store-memory: 1048576.00 GiB is more than the node's memory");
    }

    @Test
    void shellAndRunRefuseThemToo() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "");
        Path script = Files.writeString(dir.resolve("script.jsh"), "System.out.println(1);\n");
        assertRefused(Cli.sonde("shell", "--object-store-memory", "2x"), "--object-store-memory: \"2x\" is not a size");
        assertRefused(Cli.sonde("shell", "--object-spilling-directory", file.toString()),
                "--object-spilling-directory: " + file + " is a file");
        assertRefused(Cli.sonde("run", "--object-store-memory", "0", script.toString()),
                "--object-store-memory: \"0\" is no memory");
        assertRefused(Cli.sonde("run", "--memory", "256m", "--object-store-memory", "512m", script.toString()),
                "--object-store-memory: 512.0 MiB is more than the node's memory, 256.0 MiB (set by --memory)");
        assertRefused(Cli.sonde("run", "--object-spilling-directory", file.resolve("spill").toString(), script.toString()),
                "--object-spilling-directory: " + file.resolve("spill") + " does not exist and cannot be created: "
                        + file + " is a file");
    }

    @Test
    void startHandsTheCheckedValuesToTheHeadDaemon() {
        StartCommand start = new StartCommand();
        new CommandLine(start).parseArgs("--head", "--memory", "2g", "--object-store-memory", "512m",
                "--object-spilling-directory", "target/../target/spill-here");
        start.checkOptions();

        List<String> command = start.daemonCommand(new HeadFiles(dir));
        List<String> args = command.subList(command.indexOf(HeadDaemon.class.getName()) + 1, command.size());
        HeadDaemon.Args daemon = HeadDaemon.Args.parse(args.toArray(new String[0]));

        assertThat(args).containsSequence("--object-store-memory", Long.toString(512L << 20));
        assertThat(daemon.memory()).isEqualTo(2L << 30);
        assertThat(daemon.objectStoreMemory()).isEqualTo(512L << 20);
        assertThat(daemon.spillDir()).isEqualTo(Path.of("target", "spill-here").toAbsolutePath());
        assertThat(daemon.out()).isEqualTo(dir.resolve("head.out").toAbsolutePath());
    }

    @Test
    void withoutTheFlagsTheDaemonTakesTheDefaults() {
        StartCommand start = new StartCommand();
        new CommandLine(start).parseArgs("--head");
        start.checkOptions();

        List<String> command = start.daemonCommand(new HeadFiles(dir));
        HeadDaemon.Args daemon = HeadDaemon.Args.parse(command.subList(command.indexOf(HeadDaemon.class.getName()) + 1,
                command.size()).toArray(new String[0]));

        assertThat(command).doesNotContain("--object-store-memory", "--object-spilling-directory");
        assertThat(daemon.objectStoreMemory()).isZero();
        assertThat(daemon.spillDir()).isNull();
        assertThatThrownBy(() -> HeadDaemon.Args.parse(new String[] {"--object-store", "1"}))
                .hasMessage("unknown argument --object-store");
    }

    @Test
    void aHeadStartedWithTheFlagsTakesThem() throws Exception {
        Path spill = dir.resolve("spill");
        Cli.Run start = Cli.sonde("start", "--head", "--port", "0", "--object-store-memory", "96m",
                "--object-spilling-directory", spill.toString());
        try {
            assertThat(start.exitCode()).as(start.toString()).isZero();
            // the CLI returns once the head answers; its line about the store may follow a moment later
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Files.readString(root.resolve("head.out")))
                    .contains("Object store: 96.0MiB, spilling to " + spill.toAbsolutePath()));
        } finally {
            if (Files.exists(root.resolve("head_address"))) {
                Cli.Run stop = Cli.sonde("stop");
                assertThat(stop.exitCode()).as(stop.toString()).isZero();
            }
        }
    }

    private void assertRefused(Cli.Run run, String message) {
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).as(run.toString()).contains(message);
        assertThat(root.resolve("head_address")).doesNotExist();
    }
}
