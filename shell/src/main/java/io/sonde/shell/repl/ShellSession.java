package io.sonde.shell.repl;

import io.sonde.InitOptions;
import io.sonde.Sonde;
import io.sonde.shell.repl.SnippetPrinter.Feedback;
import io.sonde.shell.repl.commands.SlashCommands;
import io.sonde.tooling.DriverClient;
import org.jline.terminal.Terminal;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One run of {@code sonde shell} on a terminal: joins or starts the cluster while JShell starts
 * (the two are most of the time to the first prompt, and independent until the engine attaches),
 * routes worker output to the shell, runs the optional script and then the {@link Repl}, and
 * shuts everything down at the end, the embedded cluster included.
 */
public final class ShellSession {
    /**
     * @param address     the cluster to join; null or blank: {@code SONDE_ADDRESS}, else an embedded cluster
     * @param numCpus     CPUs of an embedded cluster; 0 for none, -1 for all processors
     * @param memory      bytes of memory of an embedded cluster ({@code --memory}); 0 for its cgroup's or the machine's
     * @param script      snippets to run first ({@code FILE.jsh}), quietly; null for none
     * @param interactive a person types at a terminal (see {@link Repl.Options})
     * @param colour      colour the input and worker prefixes
     * @param historyFile where input history persists; null keeps it in memory
     * @param objectStoreMemory bytes of an embedded cluster's object store ({@code --object-store-memory});
     *                    0 for its default share of the node's memory
     * @param objectSpillingDirectory where an embedded cluster's object store spills
     *                    ({@code --object-spilling-directory}); null for the session directory's
     */
    public record Settings(String address, int numCpus, long memory, Path script, boolean interactive, boolean colour,
                           Path historyFile, long objectStoreMemory, Path objectSpillingDirectory) {
        /** Without object store settings: the embedded cluster's store takes its defaults. */
        public Settings(String address, int numCpus, long memory, Path script, boolean interactive, boolean colour,
                        Path historyFile) {
            this(address, numCpus, memory, script, interactive, colour, historyFile, 0, null);
        }
    }

    /** Where history is kept by default: {@code ~/.sonde/history}. */
    public static Path defaultHistoryFile() {
        return Path.of(System.getProperty("user.home"), ".sonde", "history");
    }

    private final Settings settings;
    private final String address;
    /** The cluster once joined, and the channel the shell asks it about itself on. */
    private final CompletableFuture<ClusterView> cluster;
    private final CompletableFuture<ShellEngine> engine;
    private final DeferredOutput snippetOut = new DeferredOutput();
    private final List<Supplier<Optional<String>>> statusSegments = new CopyOnWriteArrayList<>();

    private ShellSession(Settings settings) {
        this.settings = settings;
        this.address = settings.address() == null || settings.address().isBlank()
                ? System.getenv("SONDE_ADDRESS") : settings.address().trim();
        InitOptions init = new InitOptions();
        if (settings.numCpus() >= 0) {
            init.numCpus(settings.numCpus());
        }
        if (settings.memory() > 0) {
            init.memory(settings.memory());
        }
        if (settings.objectStoreMemory() > 0) {
            init.objectStoreMemory(settings.objectStoreMemory());
        }
        if (settings.objectSpillingDirectory() != null) {
            init.objectSpillingDirectory(settings.objectSpillingDirectory());
        }
        if (address != null && !address.isBlank()) {
            init.address(address);
        }
        cluster = CompletableFuture.supplyAsync(() -> {
            Sonde.init(init);
            return ClusterView.ofRuntime(address);
        }, ShellSession::daemon);
        PrintStream snippets = new PrintStream(snippetOut, true, StandardCharsets.UTF_8);
        engine = CompletableFuture.supplyAsync(
                () -> ShellEngine.create(InputStream.nullInputStream(), snippets, snippets), ShellSession::daemon);
    }

    /**
     * Starts the cluster (or joins it) and JShell, each on its own thread, and returns at once:
     * the caller sets up the terminal meanwhile, then calls {@link #run(Terminal)}.
     */
    public static ShellSession start(Settings settings) {
        return new ShellSession(settings);
    }

    /** Starts and runs a shell on {@code terminal}; returns the process exit code. */
    public static int run(Terminal terminal, Settings settings) {
        return start(settings).run(terminal, SlashCommands.standard());
    }

    /** Adds a part to the status line (see {@link StatusBar#addSegment}), e.g. the active breakpoints. */
    public ShellSession addStatusSegment(Supplier<Optional<String>> segment) {
        statusSegments.add(segment);
        return this;
    }

    /** Runs the shell until {@code /exit} or the end of input; returns the process exit code. */
    public int run(Terminal terminal) {
        return run(terminal, SlashCommands.standard());
    }

    /** As {@link #run(Terminal)}, with the given table of commands. */
    public int run(Terminal terminal, SlashCommands commands) {
        ReplOutput output = new ReplOutput(terminal);
        snippetOut.connect(output.snippetBytes());
        ShellEngine shell = null;
        ClusterView view = null;
        boolean colour = settings.colour() && !terminal.getType().startsWith(Terminal.TYPE_DUMB);
        Repl.Options options = new Repl.Options(settings.interactive(), colour, settings.historyFile());
        try {
            // While JShell and the cluster start:
            Repl.SondeLineReader reader = settings.interactive() ? Repl.prepareReader(terminal, options, output) : null;
            try {
                view = cluster.join();
            } catch (CompletionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                output.println("|  Could not " + (address == null || address.isBlank() ? "start an embedded cluster"
                        : "join the cluster at " + address) + ": "
                        + (cause instanceof io.sonde.SondeException ? cause.getMessage() : cause.toString()));
                output.println("|  " + (address == null || address.isBlank()
                        ? "Check that this machine can start Java processes and bind 127.0.0.1, then try again."
                        : "Check it with `sonde status --address " + address + "`, or leave out --address"
                        + " (and SONDE_ADDRESS) to start an embedded cluster."));
                return 1;
            }
            shell = engine.join();
            shell.attach();
            relayWorkerOutput(output, colour);
            try (Repl repl = new Repl(output, shell, commands, view, options, reader)) {
                repl.statusBar().ifPresent(bar -> statusSegments.forEach(bar::addSegment));
                if (settings.interactive()) {
                    output.println(banner(view, settings));
                }
                if (settings.script() != null) {
                    repl.runScript(settings.script(), Feedback.QUIET);
                }
                repl.run();
            }
            if (settings.interactive()) {
                output.println("|  Goodbye");
            }
            return 0;
        } finally {
            if (view != null) {
                view.close();
            }
            if (shell == null) {
                shell = engine.getNow(null);
            }
            if (shell != null) {
                shell.close();
            }
            Sonde.shutdown();
            terminal.flush();
        }
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r, "sonde-shell-start");
        t.setDaemon(true);
        t.start();
    }

    /** Holds what snippets print until the terminal exists, then passes it on. */
    private static final class DeferredOutput extends OutputStream {
        private final java.io.ByteArrayOutputStream early = new java.io.ByteArrayOutputStream();
        private OutputStream target;

        synchronized void connect(OutputStream to) {
            target = to;
            try {
                early.writeTo(to);
                to.flush();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public synchronized void write(int b) throws java.io.IOException {
            if (target == null) {
                early.write(b);
            } else {
                target.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws java.io.IOException {
            if (target == null) {
                early.write(b, off, len);
            } else {
                target.write(b, off, len);
            }
        }

        @Override
        public synchronized void flush() throws java.io.IOException {
            if (target != null) {
                target.flush();
            }
        }
    }

    /** Worker prints reach the shell's output, above the line being typed: {@code (square pid=4711) hi}. */
    private static void relayWorkerOutput(ReplOutput output, boolean colour) {
        DriverClient.current().relayLogsTo(output::println, output::println, colour);
    }

    private static String banner(ClusterView view, Settings settings) {
        String where = view.embedded()
                ? "an embedded cluster (" + (settings.numCpus() >= 0 ? settings.numCpus() : Runtime.getRuntime()
                .availableProcessors()) + " CPUs) at " + view.address() + "; it stops when you leave"
                : "the cluster at " + view.address();
        return "|  Welcome to the Sonde shell, Java " + Runtime.version().feature() + ", on " + where + ".\n"
                + "|  task(() -> ...).remote() runs code on the cluster, get(ref) waits for it. /help lists the commands.";
    }
}
