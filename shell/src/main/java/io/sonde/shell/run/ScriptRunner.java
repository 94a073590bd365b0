package io.sonde.shell.run;

import io.sonde.InitOptions;
import io.sonde.Sonde;
import io.sonde.SondeException;
import io.sonde.shell.repl.ShellEngine;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code sonde run FILE.jsh}: starts Sonde, evaluates the script's snippets in order in a
 * {@link ShellEngine} and stops at the first one that does not compile or throws.
 *
 * <p>Values are not echoed (like {@code jshell -q FILE} piped to a file): what the script prints,
 * and what its tasks print on workers, is the output. The script sees its arguments as
 * {@code String[] args}. Sonde is always shut down at the end, which stops the workers and prints
 * their last lines before the process exits.
 *
 * <p>The jshell commands that make sense in a file work as in the {@code jshell} tool:
 * {@code /exit N} ends the script with exit status N, {@code /open FILE} runs another script
 * there, the listing commands print; see {@link ScriptCommands}.
 */
public final class ScriptRunner {
    /** How deep {@code /open} may nest: deeper is a script that opens itself. */
    private static final int MAX_OPEN_DEPTH = 16;
    private final Path file;
    private final List<String> args;
    private final InitOptions cluster;
    private final PrintStream out = System.out;
    private final PrintStream err = System.err;

    /** @param cluster how to start or join the cluster the script runs on */
    public ScriptRunner(Path file, List<String> args, InitOptions cluster) {
        this.file = file;
        this.args = args;
        this.cluster = cluster;
    }

    public int run() {
        String text;
        try {
            text = SourceText.read(file);
        } catch (SourceText.UnreadableSourceException e) {
            err.println("sonde run: " + e.getMessage());
            return 2;
        }
        // Starting JShell and starting the cluster are most of the start-up and independent of
        // each other until the engine attaches to the client: do them at the same time.
        CompletableFuture<ShellEngine> starting = CompletableFuture.supplyAsync(
                () -> ShellEngine.create(System.in, out, err), runnable -> {
                    Thread t = new Thread(runnable, "sonde-run-jshell-start");
                    t.setDaemon(true);
                    t.start();
                });
        try {
            Sonde.init(cluster);
        } catch (SondeException | IllegalArgumentException e) {
            err.println("sonde run: " + e.getMessage());
            starting.thenAccept(ShellEngine::close);
            return e instanceof IllegalArgumentException ? 2 : 1;   // a malformed address is a usage error
        }
        try (ShellEngine engine = starting.join()) {
            engine.attach();
            return evaluate(engine, text);
        } finally {
            Sonde.shutdown();
            out.flush();
            err.flush();
        }
    }

    private int evaluate(ShellEngine engine, String text) {
        String defineArgs = argsSnippet(args);
        for (SnippetEvent e : engine.eval(defineArgs)) {
            if (e.status() == Snippet.Status.REJECTED || e.exception() != null) {
                throw new IllegalStateException("could not define the script's args with `" + defineArgs + "`");
            }
        }
        Integer status = evaluate(engine, new ScriptCommands(engine, out), file, text, 0);
        return status == null ? 0 : status;
    }

    /**
     * Runs one file's snippets and commands (the script's, or one it opens with {@code /open}).
     * Returns null when the file's end was reached, else the exit status to end the run with:
     * 1 after an error, N after {@code /exit N}.
     */
    private Integer evaluate(ShellEngine engine, ScriptCommands commands, Path script, String text, int depth) {
        Map<String, ScriptSplitter.Piece> byId = new HashMap<>();
        ScriptErrors errors = new ScriptErrors(script.toString(), engine.jshell(), engine.locator(), byId);
        for (ScriptSplitter.Piece piece : ScriptSplitter.split(text, engine.analysis())) {
            if (piece.command()) {
                Integer status = command(engine, commands, script, piece, depth);
                if (status != null) {
                    return status;
                }
                continue;
            }
            List<SnippetEvent> events = engine.eval(piece.source());
            for (SnippetEvent e : events) {
                if (e.causeSnippet() == null) {
                    byId.put(e.snippet().id(), piece);
                }
            }
            for (SnippetEvent e : events) {
                if (e.causeSnippet() != null) {
                    continue;                        // a snippet this one updated, not this one
                }
                Snippet s = e.snippet();
                if (e.status() == Snippet.Status.REJECTED) {
                    errors.printRejected(piece, s, err);
                    return 1;
                }
                if (e.exception() != null) {
                    errors.printException(piece, e.exception(), err);
                    return 1;
                }
                if (!e.status().isDefined() && s instanceof DeclarationSnippet d && runsNow(s)) {
                    errors.printUnresolved(piece, d, err);
                    return 1;
                }
            }
        }
        return null;
    }

    /** Runs a command line of {@code script}; null to go on, else the exit status to end with. */
    private Integer command(ShellEngine engine, ScriptCommands commands, Path script, ScriptSplitter.Piece piece,
                            int depth) {
        String where = "error in line " + piece.line() + " of " + script + ": ";
        ScriptCommands.Outcome outcome;
        try {
            outcome = commands.run(piece);
        } catch (ScriptCommands.ScriptCommandException e) {
            err.println(where + e.getMessage());
            return 1;
        }
        if (outcome instanceof ScriptCommands.Outcome.Exit exit) {
            return exit.status();
        }
        if (outcome instanceof ScriptCommands.Outcome.Open open) {
            if (depth >= MAX_OPEN_DEPTH) {
                err.println(where + "/open " + open.file() + " opens files " + MAX_OPEN_DEPTH
                        + " deep: a script that opens itself?");
                return 1;
            }
            if (!Files.isRegularFile(open.file())) {
                err.println(where + "/open: no such file: " + open.file().toAbsolutePath()
                        + " (a relative path is taken from the directory sonde run was started in, as jshell does)");
                return 1;
            }
            String text;
            try {
                text = SourceText.read(open.file());
            } catch (SourceText.UnreadableSourceException e) {
                err.println(where + "/open: " + e.getMessage());
                return 1;
            }
            return evaluate(engine, commands, open.file(), text, depth + 1);
        }
        return null;
    }

    /**
     * Whether the snippet's code runs when it is evaluated. Methods and classes may use names a
     * later snippet defines, as in the {@code jshell} tool; a variable's initializer cannot.
     */
    private static boolean runsNow(Snippet s) {
        return s.kind() == Snippet.Kind.VAR;
    }

    /** {@code String[] args = {"a", "b"};} with every argument as a Java string literal. */
    static String argsSnippet(List<String> args) {
        StringBuilder b = new StringBuilder("String[] args = {");
        for (int i = 0; i < args.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(literal(args.get(i)));
        }
        return b.append("};").toString();
    }

    static String literal(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
