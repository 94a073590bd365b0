package io.sonde.shell.run;

import io.sonde.debugger.LineInput;
import io.sonde.shell.repl.ClusterView;
import io.sonde.shell.repl.ShellEngine;
import io.sonde.shell.repl.commands.CommandContext;
import io.sonde.shell.repl.commands.CommandException;
import io.sonde.shell.repl.commands.SlashCommands;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.VarSnippet;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The jshell commands a script run by {@code sonde run FILE.jsh} may hold, one per line where a
 * snippet could start, as the {@code jshell} tool reads them in a file:
 * <ul>
 *   <li>{@code /exit [N]} ends the script with exit status N (an int, or an int expression such as
 *       {@code args.length}), 0 without one;
 *   <li>{@code /open FILE} runs another script's snippets and commands there;
 *   <li>{@code /vars}, {@code /methods}, {@code /types}, {@code /imports}, {@code /list} print
 *       what the shell's commands of those names print;
 *   <li>{@code /set ...} is accepted and has no effect: its settings (feedback, prompts, editor)
 *       are those of the tool's display, which a script run does not have.
 * </ul>
 * Any other command stops the script as an error that names its line. Used on the thread that
 * runs the script.
 */
final class ScriptCommands {
    /** The shell's listing commands that make sense in a script: they read JShell's state only. */
    private static final Set<String> LISTINGS = Set.of("vars", "methods", "types", "imports", "list");
    static final String ACCEPTED = "/exit [N], /open FILE, /vars, /methods, /types, /imports, /list and /set";

    /** What the script does after a command. */
    sealed interface Outcome {
        /** Goes on with the next piece. */
        record Next() implements Outcome {
        }

        /** Ends with this exit status. */
        record Exit(int status) implements Outcome {
        }

        /** {@code /open FILE}: runs that file's pieces, then goes on. */
        record Open(Path file) implements Outcome {
        }
    }

    /** A command that cannot run: the message says why, in the words of the error that follows the line. */
    static final class ScriptCommandException extends RuntimeException {
        ScriptCommandException(String message) {
            super(message);
        }
    }

    private final ShellEngine engine;
    private final PrintStream out;
    private final SlashCommands shellCommands = SlashCommands.standard();

    ScriptCommands(ShellEngine engine, PrintStream out) {
        this.engine = engine;
        this.out = out;
    }

    /** Runs the command of {@code piece}; throws a {@link ScriptCommandException} when it cannot. */
    Outcome run(ScriptSplitter.Piece piece) {
        String line = piece.source().strip();
        int space = line.indexOf(' ');
        String name = (space < 0 ? line.substring(1) : line.substring(1, space)).toLowerCase(Locale.ROOT);
        String args = space < 0 ? "" : line.substring(space + 1).strip();
        switch (name) {
            case "exit" -> {
                return new Outcome.Exit(args.isEmpty() ? 0 : exitStatus(args));
            }
            case "open" -> {
                if (args.isEmpty()) {
                    throw new ScriptCommandException("/open needs a file: /open FILE.jsh");
                }
                return new Outcome.Open(Path.of(args));
            }
            case "set" -> {
                return new Outcome.Next();
            }
            default -> {
                if (!LISTINGS.contains(name)) {
                    throw new ScriptCommandException("/" + name + " is not a command a script can use; a script"
                            + " may use " + ACCEPTED + " (the shell's other commands need `sonde shell`)");
                }
                PrintWriter w = new PrefixedWriter(out);
                shellCommands.run("/" + name + (args.isEmpty() ? "" : " " + args), new Context(w));
                w.flush();
                return new Outcome.Next();
            }
        }
    }

    /** {@code /exit 3} or {@code /exit args.length}: an int, or an expression JShell evaluates to one. */
    private int exitStatus(String expression) {
        try {
            return Integer.parseInt(expression);
        } catch (NumberFormatException notALiteral) {
            // an expression: evaluated below
        }
        List<SnippetEvent> events = engine.eval(expression);
        for (SnippetEvent e : events) {
            if (e.causeSnippet() != null) {
                continue;
            }
            if (e.status() == Snippet.Status.REJECTED || e.exception() != null) {
                throw new ScriptCommandException("/exit takes an int exit status, and `" + expression + "` "
                        + (e.exception() != null ? "threw " + e.exception() : "does not compile"));
            }
            if (e.snippet() instanceof VarSnippet v && Set.of("int", "short", "byte", "Integer").contains(v.typeName())
                    && e.value() != null && e.value().matches("-?\\d+")) {
                return Integer.parseInt(e.value());
            }
        }
        throw new ScriptCommandException("/exit takes an int exit status, e.g. /exit 3; `" + expression
                + "` is not an int");
    }

    /** What the shell's listing commands reach in a script: JShell's state and the script's output. */
    private final class Context implements CommandContext {
        private final PrintWriter out;

        Context(PrintWriter out) {
            this.out = out;
        }

        @Override
        public ShellEngine engine() {
            return engine;
        }

        @Override
        public PrintWriter out() {
            return out;
        }

        @Override
        public PrintWriter plainOut() {
            return out;
        }

        @Override
        public LineInput lineInput() {
            return prompt -> null;
        }

        @Override
        public ClusterView cluster() {
            throw new CommandException("A script's commands do not talk to the cluster.");
        }

        @Override
        public SlashCommands commands() {
            return shellCommands;
        }

        @Override
        public void exit() {
            // the listing commands do not leave
        }

        @Override
        public void open(Path file) {
            // the listing commands open nothing
        }
    }

    /** Puts the shell's {@code |  } in front of every line, as the shell prints its commands' output. */
    private static final class PrefixedWriter extends PrintWriter {
        PrefixedWriter(PrintStream target) {
            super(target, true);
        }

        @Override
        public void println(String line) {
            synchronized (lock) {
                for (String l : line.split("\n", -1)) {
                    super.print("|  " + l);
                    super.println();
                }
            }
        }

        @Override
        public void println(Object x) {
            println(String.valueOf(x));
        }
    }
}
