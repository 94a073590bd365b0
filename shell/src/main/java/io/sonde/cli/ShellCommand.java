package io.sonde.cli;

import io.sonde.shell.repl.ShellSession;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ListResourceBundle;
import java.util.concurrent.Callable;

/**
 * {@code sonde shell}: a Java shell (JShell, with the jshell tool's feedback) whose snippets
 * reach the cluster: {@code get(task(() -> 1).remote())}. Interactive on a terminal; reads
 * snippets from a pipe too ({@code echo 'get(task(() -> 1).remote())' | sonde shell}).
 */
@Command(name = "shell", description = {"An interactive Java shell on a Sonde cluster: task(...).remote() runs code on it.",
        "Reads snippets from standard input when it is not a terminal."},
        resourceBundle = "io.sonde.cli.ShellCommand$Help")
final class ShellCommand implements Callable<Integer> {
    /** The help of the shared --address as it applies to the shell, whose fallback is an embedded cluster. */
    public static final class Help extends ListResourceBundle {
        @Override
        protected Object[][] getContents() {
            return new Object[][] {{ClusterOptions.ADDRESS_HELP,
                    "The cluster to join. Default: $SONDE_ADDRESS, else an embedded cluster that stops with the shell."}};
        }
    }

    /** Only --address: the shell joins its cluster through Sonde.init (see {@link ClusterOptions#addressOnly}). */
    @Mixin
    ClusterOptions target;

    @Option(names = "--num-cpus", paramLabel = "N",
            description = "CPUs of the embedded cluster. Default: all processors; 0: none.")
    Integer numCpus;

    @Option(names = "--memory", paramLabel = "BYTES",
            description = "Memory of the embedded cluster, as `sonde start --head --memory`: bytes, or 512m, 2g."
                    + " Default: the cgroup's limit, else the machine's memory.")
    String memory;

    /** The embedded cluster's object store; as `sonde start --head`'s. */
    @Mixin
    ObjectStoreFlags objectStore;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE.jsh",
            description = "Snippets and /commands to run first (quietly: only errors are shown); the shell stays open after them.")
    Path script;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Override
    public Integer call() throws IOException {
        if (numCpus != null && numCpus < 0) {
            throw new CommandFailure(2, "--num-cpus must be 0 (none) or more, got " + numCpus
                    + "; leave it out for all processors.");
        }
        long memoryBytes = 0;
        ObjectStoreFlags.Values store;
        try {
            if (memory != null) {
                memoryBytes = io.sonde.cli.table.Units.memoryOption(memory);
            }
            store = objectStore.check(memoryBytes, embedded(target.address()));
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(2, e.getMessage());
        }
        if (script != null && !Files.isRegularFile(script)) {
            throw new CommandFailure(2, "No script " + script.toAbsolutePath() + ": give the path of a .jsh file,"
                    + " or leave it out to start an empty shell.");
        }
        // Both standard input and output are a terminal: a person types. Otherwise snippets come from a pipe.
        boolean interactive = System.console() != null;
        boolean noColour = System.getenv("NO_COLOR") != null;
        // Cluster and JShell start now, on their own threads, while the terminal is set up.
        ShellSession session = ShellSession.start(new ShellSession.Settings(target.address(), numCpus == null ? -1 : numCpus, memoryBytes, script, interactive,
                interactive && !noColour, ShellSession.defaultHistoryFile(), store.memory(), store.spillDir()));
        try (Terminal terminal = TerminalBuilder.builder().name("sonde").system(true).dumb(true).build()) {
            return session.run(terminal);
        }
    }

    /** Whether {@code Sonde.init} starts an embedded cluster for this address: none given here nor in $SONDE_ADDRESS. */
    static boolean embedded(String address) {
        String env = System.getenv("SONDE_ADDRESS");
        return (address == null || address.isBlank()) && (env == null || env.isBlank());
    }
}
