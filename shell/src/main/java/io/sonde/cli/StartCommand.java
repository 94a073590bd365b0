package io.sonde.cli;

import io.sonde.cli.table.Units;
import io.sonde.proto.ClusterStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code sonde start --head}: runs {@link HeadDaemon} as a detached background JVM and returns once
 * it answers, so that the next command (or {@code Sonde.init(address)}) finds a working cluster.
 *
 * <p>The daemon gets a session of its own ({@code setsid}) where available, so Ctrl-C in this
 * terminal or closing it does not reach the head; elsewhere {@code nohup} at least keeps SIGHUP away.
 */
@Command(name = "start", description = "Start a Sonde head (head + node manager) as a background process on 127.0.0.1.",
        footer = {"", "Environment: SONDE_HEAD_JVM_OPTIONS  extra options for the head's JVM, e.g. -Xmx4g."})
final class StartCommand implements Callable<Integer> {
    static final int DEFAULT_PORT = 6380;
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    private static final int TAIL_LINES = 20;

    @Option(names = "--head", description = "Start the head node. Required: Sonde clusters have one node for now.")
    boolean head;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + DEFAULT_PORT,
            description = "Port on 127.0.0.1 to serve on (default: ${DEFAULT-VALUE}); 0 picks a free one.")
    int port;

    @Option(names = "--num-cpus", paramLabel = "N",
            description = "CPUs the node hands out to tasks. Default: all processors. 0: none, for a head that"
                    + " only coordinates: it runs no task that needs a CPU.")
    Integer numCpus;

    @Option(names = "--memory", paramLabel = "BYTES",
            description = "Memory the node takes as its own: the memory monitor kills a worker when the node's"
                    + " workers together use more than the threshold of it, and .memory() admission counts against"
                    + " it. Bytes, or 512m, 2g, 2GiB. Default: the node's cgroup limit, else the machine's memory.")
    String memory;

    @Mixin
    ObjectStoreFlags objectStore;

    /** The object store's options once {@link #checkOptions} has checked them. */
    private ObjectStoreFlags.Values objectStoreValues = new ObjectStoreFlags.Values(0, null);

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @ParentCommand
    SondeMain sonde;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        checkOptions();
        PrintWriter out = spec.commandLine().getOut();
        HeadFiles files = sonde.locator().headFiles();
        refuseIfRunning(files);
        files.remove(); // left by a head that was killed: nothing answers there
        Files.createDirectories(files.root());
        Files.deleteIfExists(files.outFile()); // unlink rather than truncate: the last session keeps its copy

        Process process = new ProcessBuilder(daemonCommand(files))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(files.outFile().toFile()))
                .redirectErrorStream(true)
                .start();
        String address = awaitAnswer(files, process);
        long pid = files.pid().orElse(process.pid());
        printBanner(out, address, pid, files);
        return 0;
    }

    /**
     * Refuses a command line that cannot start a head, before anything starts: each message names
     * the option, what is wrong and what to give.
     */
    void checkOptions() {
        if (!head) {
            throw new ParameterException(spec.commandLine(),
                    "`sonde start` needs --head: Sonde runs one node per cluster for now, so the head is the only kind to start.");
        }
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be between 0 and 65535, got " + port);
        }
        if (numCpus != null && numCpus < 0) {
            throw new ParameterException(spec.commandLine(), "--num-cpus must be 0 (none) or more, got " + numCpus
                    + "; leave it out for all processors.");
        }
        try {
            long memoryBytes = memory == null ? 0 : io.sonde.cli.table.Units.memoryOption(memory);
            objectStoreValues = objectStore.check(memoryBytes, true);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private static void refuseIfRunning(HeadFiles files) {
        Optional<String> existing = files.address();
        if (existing.isPresent() && ClusterLocator.answers(existing.get())) {
            OptionalLong pid = files.pid();
            throw new CommandFailure(1, "A Sonde cluster is already running at " + existing.get()
                    + (pid.isPresent() ? " (head pid " + pid.getAsLong() + ")" : "") + ".\n"
                    + "Use it (SONDE_ADDRESS=" + existing.get() + " or Sonde.init(\"" + existing.get() + "\")),"
                    + " or stop it first with `sonde stop`.");
        }
        Optional<ProcessHandle> hung = files.liveDaemon();
        if (hung.isPresent()) {
            throw new CommandFailure(1, "A Sonde head process (pid " + hung.get().pid() + ") is alive but does not answer at "
                    + existing.orElse("its address") + ".\nKill it with `sonde stop --force`, then start again.");
        }
    }

    /** The head daemon's command line: its JVM, then {@link HeadDaemon}'s arguments. Once {@link #checkOptions} passed. */
    List<String> daemonCommand(HeadFiles files) {
        List<String> cmd = new ArrayList<>();
        Optional<String> detach = onPath("setsid").or(() -> onPath("nohup"));
        detach.ifPresent(cmd::add);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // First on the command line, so `sonde stop` recognises the process even where the OS
        // truncates long command lines (a long classpath pushes the main class past the cut).
        cmd.add(HeadFiles.HEAD_MARKER);
        cmd.add("-Dsonde.root=" + files.root().toAbsolutePath());
        String extra = System.getenv("SONDE_HEAD_JVM_OPTIONS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(HeadDaemon.class.getName());
        cmd.add("--port");
        cmd.add(Integer.toString(port));
        if (numCpus != null) {
            cmd.add("--num-cpus");
            cmd.add(Integer.toString(numCpus));
        }
        if (memory != null) {
            cmd.add("--memory");
            cmd.add(Long.toString(io.sonde.cli.table.Units.memoryOption(memory))); // checked in call()
        }
        if (objectStoreValues.memory() > 0) {
            cmd.add(ObjectStoreFlags.MEMORY);
            cmd.add(Long.toString(objectStoreValues.memory()));
        }
        if (objectStoreValues.spillDir() != null) {
            cmd.add(ObjectStoreFlags.SPILL_DIR);
            cmd.add(objectStoreValues.spillDir().toString());
        }
        cmd.add("--out");
        cmd.add(files.outFile().toAbsolutePath().toString());
        return cmd;
    }

    /** Polls until the daemon has written its address and answers there, or has clearly failed. */
    private static String awaitAnswer(HeadFiles files, Process process) throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<String> address = files.address();
            if (address.isPresent() && ClusterLocator.answers(address.get())) {
                return address.get();
            }
            if (!process.isAlive() && !daemonAlive(files)) {
                throw new CommandFailure(1, "The Sonde head exited while starting (exit code " + process.exitValue() + ").\n"
                        + tail(files.outFile()) + "\nFix the cause above and run `sonde start --head` again.");
            }
            Thread.sleep(100);
        }
        files.pid().ifPresent(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        process.destroyForcibly();
        throw new CommandFailure(1, "The Sonde head did not answer within " + STARTUP_TIMEOUT.toSeconds()
                + " s, so it was killed.\n" + tail(files.outFile())
                + "\nIf the machine is just slow, run `sonde start --head` again.");
    }

    /** With setsid or nohup in between, the JVM may not be the process we started. */
    private static boolean daemonAlive(HeadFiles files) {
        OptionalLong pid = files.pid();
        return pid.isPresent() && ProcessHandle.of(pid.getAsLong()).map(ProcessHandle::isAlive).orElse(false);
    }

    private void printBanner(PrintWriter out, String address, long pid, HeadFiles files) {
        String cpus = "";
        try (ClusterLocator.ClusterConnection c = ClusterLocator.ClusterConnection.open(
                new ClusterLocator.Candidate(address, "start"))) {
            ClusterStatus s = c.status(ClusterLocator.PROBE_DEADLINE);
            if (s.getNodesCount() > 0) {
                cpus = ", " + Units.cpus(s.getNodes(0).getCpusTotal()) + " CPUs";
            }
        } catch (RuntimeException e) {
            // the banner is complete enough without the CPU count
        }
        Optional<Path> session = sessionDir(files.root(), pid);
        out.println("Started a Sonde head at " + address + " (pid " + pid + cpus + ").");
        out.println();
        out.println("Next steps");
        out.println("  To connect a program to this cluster, call");
        out.println("    Sonde.init(\"" + address + "\");");
        out.println("  or leave Sonde.init() as it is and run the program with");
        out.println("    SONDE_ADDRESS=" + address);
        out.println("  in its environment; `sonde classpath` prints the classpath it needs.");
        out.println();
        out.println("  To see the cluster:  sonde status   |   sonde list tasks|actors|workers|nodes");
        out.println("  To stop it:          sonde stop");
        out.println();
        out.println("Head output: " + session.map(d -> d.resolve("head.out")).orElse(files.outFile()));
        session.ifPresent(d -> out.println("Worker logs: " + d.resolve("logs")));
        out.flush();
    }

    /** The head's session directory: the runtime names it {@code session_<time>_<pid>}. */
    private static Optional<Path> sessionDir(Path root, long pid) {
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("session_")
                    && d.getFileName().toString().endsWith("_" + pid)).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty()) {
                return "Its output (" + file + ") is empty.";
            }
            List<String> last = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
            return "Last lines of its output (" + file + "):\n  " + String.join("\n  ", last);
        } catch (IOException | UncheckedIOException e) {
            return "Its output (" + file + ") cannot be read: " + e.getMessage();
        }
    }

    private static Optional<String> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(p)) {
                return Optional.of(p.toString());
            }
        }
        return Optional.empty();
    }
}
