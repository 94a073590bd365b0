package io.sonde.cli;

import io.sonde.InitOptions;
import io.sonde.shell.run.ScriptRunner;
import io.sonde.shell.run.SourceProgram;
import io.sonde.shell.run.SourceText;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ListResourceBundle;
import java.util.concurrent.Callable;

/**
 * {@code sonde run FILE [ARGS...]}: runs a JShell script ({@code .jsh}) or a single-file Java
 * program ({@code .java}) against a Sonde cluster, without a prompt.
 *
 * <p>As with {@code java Main.java}, the options of {@code sonde run} come before the file and
 * everything after the file belongs to the script or program, even words that look like options.
 *
 * <p>Exit status: 0 when the script ends or {@code main} returns, 1 on a compile error or an
 * uncaught exception (printed with the snippet or line it came from), 2 when the command line is
 * wrong (FILE missing, or not UTF-8 text); {@code System.exit(n)} in the script or program, or
 * {@code /exit n} in a script, ends {@code sonde run} with {@code n}.
 */
@Command(name = "run",
        description = {"Run a JShell script (FILE.jsh) or a single-file Java program (Main.java).",
                "A script's snippets run in order, as `jshell FILE` runs them but without",
                "echoing values, on a cluster started for the run (or the one at --address",
                "or $SONDE_ADDRESS). A .java file is compiled in memory and the main method",
                "of its first class runs, as with `java Main.java`.",
                "Options go before FILE; what follows FILE goes to the script or program.",
                "A script may hold the jshell commands /exit [N], /open FILE, /vars, /methods,",
                "/types, /imports, /list and /set (which has no effect).",
                "Exit status: 0 when it ends, 1 on a compile error or an uncaught exception,",
                "n after System.exit(n) or /exit n, 2 when the command line is wrong."},
        resourceBundle = "io.sonde.cli.RunCommand$Help")
final class RunCommand implements Callable<Integer> {
    /** The help of the shared --address as it applies to run, whose fallback is an embedded cluster. */
    public static final class Help extends ListResourceBundle {
        @Override
        protected Object[][] getContents() {
            return new Object[][] {{ClusterOptions.ADDRESS_HELP,
                    "The cluster to run on. Default: $SONDE_ADDRESS, else an embedded cluster that ends with the run."}};
        }
    }

    /** Only --address: the run joins its cluster through Sonde.init (see {@link ClusterOptions#addressOnly}). */
    @Mixin
    ClusterOptions target;

    @Option(names = "--num-cpus", paramLabel = "N",
            description = "CPUs of the embedded cluster `sonde run` starts. Default: all processors; 0: none.")
    Integer numCpus;

    @Option(names = "--memory", paramLabel = "BYTES",
            description = "Memory of the embedded cluster `sonde run` starts, as `sonde start --head --memory`: bytes,"
                    + " or 512m, 2g. Default: the cgroup's limit, else the machine's memory.")
    String memory;

    /** The embedded cluster's object store; as `sonde start --head`'s. */
    @Mixin
    ObjectStoreFlags objectStore;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Parameters(index = "0", paramLabel = "FILE", description = "The script (.jsh) or program (.java) to run.")
    Path file;

    @Parameters(index = "1..*", paramLabel = "ARGS",
            description = "Passed to the script as `String[] args`, or to the program's main.")
    List<String> args = new ArrayList<>();

    @Spec
    CommandSpec spec;

    /**
     * The verb as {@code SondeMain} registers it: parsing stops at FILE, so that the script's or
     * program's own arguments reach it unchanged, as {@code java Main.java ARGS} does.
     */
    static CommandLine commandLine() {
        return ClusterOptions.addressOnly(new CommandLine(new RunCommand())).setStopAtPositional(true);
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        boolean script = name.endsWith(".jsh");
        if (!script && !name.endsWith(".java")) {
            throw new ParameterException(spec.commandLine(), "`sonde run` runs a JShell script (.jsh) or a single-file"
                    + " Java program (.java); '" + file + "' is neither.");
        }
        if (!Files.isRegularFile(file)) {
            err.println("sonde run: no such file: " + file.toAbsolutePath() + "; give the path of a .jsh script or a .java"
                    + " program.");
            err.flush();
            return 2;
        }
        try {
            SourceText.read(file); // a binary file is refused before a cluster starts
        } catch (SourceText.UnreadableSourceException e) {
            err.println("sonde run: " + e.getMessage());
            err.flush();
            return 2;
        }
        if (numCpus != null && numCpus < 0) {
            throw new ParameterException(spec.commandLine(), "--num-cpus must be 0 (none) or more, got "
                    + numCpus + "; leave it out for all processors.");
        }
        String address = target.joinAddress();
        InitOptions cluster = new InitOptions().address(address);
        if (numCpus != null) {
            cluster.numCpus(numCpus);
        }
        ObjectStoreFlags.Values store;
        try {
            if (memory != null) {
                cluster.memory(io.sonde.cli.table.Units.memoryOption(memory));
            }
            store = objectStore.check(cluster.memory(), ShellCommand.embedded(address));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (store.memory() > 0) {
            cluster.objectStoreMemory(store.memory());
        }
        if (store.spillDir() != null) {
            cluster.objectSpillingDirectory(store.spillDir());
        }
        return script
                ? new ScriptRunner(file, args, cluster).run()
                : new SourceProgram(file, args, cluster,
                address != null || numCpus != null || memory != null || store.given()).run();
    }
}
