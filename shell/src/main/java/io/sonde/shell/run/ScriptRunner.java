package io.sonde.shell.run;

import io.sonde.InitOptions;
import io.sonde.Sonde;
import io.sonde.SondeException;
import io.sonde.shell.repl.ShellEngine;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
 */
public final class ScriptRunner {
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
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            err.println("sonde run: cannot read " + file + ": " + e.getMessage());
            return 1;
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
        Map<String, ScriptSplitter.Piece> byId = new HashMap<>();
        ScriptErrors errors = new ScriptErrors(file.toString(), engine.jshell(), engine.locator(), byId);
        for (ScriptSplitter.Piece piece : ScriptSplitter.split(text, engine.analysis())) {
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
        return 0;
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
