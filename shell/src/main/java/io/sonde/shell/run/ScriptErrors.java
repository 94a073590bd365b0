package io.sonde.shell.run;

import io.sonde.shell.repl.SnippetLocator;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.MethodSnippet;
import jdk.jshell.Snippet;
import jdk.jshell.TypeDeclSnippet;
import jdk.jshell.UnresolvedReferenceException;

import java.io.PrintStream;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How {@code sonde run} reports what stopped a script: the snippet it came from, then a compile
 * error formatted as javac formats one, or the exception with every frame in script code shown as
 * the script line it ran ({@code at snippet 4 (job.jsh:13): return 100 / x;}).
 *
 * <p>Frames are mapped to snippets by {@link SnippetLocator}, also those that ran on a worker;
 * frames of Sonde's and JShell's machinery are left out, as the shell leaves them out. Unlike the
 * shell, which numbers snippets as JShell does, a script's snippets are numbered from its first
 * one and located by the script's lines, which is what its author can look up.
 */
final class ScriptErrors {
    /** Packages whose frames are how Sonde and JShell run the script's code, left out of traces. */
    private static final List<String> INTERNAL = List.of(
            "io.sonde.", "jdk.jshell.", "jdk.internal.", "java.lang.reflect.", "java.lang.invoke.", "sun.reflect.");

    private final String scriptName;
    private final JShell jshell;
    private final SnippetLocator locator;
    /** JShell snippet id to the piece of the script it was made from. */
    private final Map<String, ScriptSplitter.Piece> pieces;

    ScriptErrors(String scriptName, JShell jshell, SnippetLocator locator, Map<String, ScriptSplitter.Piece> pieces) {
        this.scriptName = scriptName;
        this.jshell = jshell;
        this.locator = locator;
        this.pieces = pieces;
    }

    /** {@code error in snippet 4 (line 12 of job.jsh): get(task(...).remote())} */
    String header(ScriptSplitter.Piece piece) {
        return "error in snippet " + piece.number() + " (line " + piece.line() + " of " + scriptName + "): "
                + piece.headline();
    }

    /** A snippet JShell would not compile, formatted as javac does: {@code job.jsh:7: error: ...}, source line, caret. */
    void printRejected(ScriptSplitter.Piece piece, Snippet snippet, PrintStream err) {
        err.println(header(piece));
        List<Diag> errors = jshell.diagnostics(snippet).filter(Diag::isError).collect(Collectors.toList());
        String source = snippet.source();
        if (errors.isEmpty()) {
            err.println(scriptName + ":" + piece.line() + ": error: JShell rejected this snippet");
        }
        for (Diag d : errors) {
            long pos = d.getPosition() >= 0 ? d.getPosition() : Math.max(d.getStartPosition(), 0);
            pos = Math.min(pos, source.length());
            int lineStart = source.lastIndexOf('\n', (int) pos - 1) + 1;
            int lineEnd = source.indexOf('\n', (int) pos);
            if (lineEnd < 0) {
                lineEnd = source.length();
            }
            int snippetLine = 1 + (int) source.substring(0, lineStart).chars().filter(c -> c == '\n').count();
            String[] message = d.getMessage(null).split("\n");
            err.println(scriptName + ":" + piece.scriptLine(snippetLine) + ": error: " + message[0]);
            String line = source.substring(lineStart, lineEnd);
            StringBuilder pad = new StringBuilder();
            for (int i = 0; i < pos - lineStart && i < line.length(); i++) {
                pad.append(line.charAt(i) == '\t' ? '\t' : ' ');   // so the caret lines up under tabs too
            }
            err.println(line);
            err.println(pad + "^");
            for (int i = 1; i < message.length; i++) {
                // JShell's wrapper classes have no name; "location: class " would only confuse
                if (!message[i].strip().equals("location: class")) {
                    err.println(message[i]);
                }
            }
        }
        err.flush();
    }

    /** A statement or variable whose code uses names the script does not define. */
    void printUnresolved(ScriptSplitter.Piece piece, DeclarationSnippet snippet, PrintStream err) {
        err.println(header(piece));
        String missing = String.join(", ", jshell.unresolvedDependencies(snippet).collect(Collectors.toList()));
        err.println(scriptName + ":" + piece.line() + ": error: cannot find symbol: " + (missing.isEmpty() ? "?" : missing));
        err.flush();
    }

    /** An exception that escaped a snippet, with its causes. */
    void printException(ScriptSplitter.Piece piece, Throwable thrown, PrintStream err) {
        err.println(header(piece));
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        String prefix = "";
        for (Throwable t = thrown; t != null && seen.add(t); t = t.getCause()) {
            err.println(prefix + describe(t));
            String previous = null;
            for (StackTraceElement frame : t.getStackTrace()) {
                String line = isInternal(frame) ? null : frame(frame);
                if (line != null && !line.equals(previous)) {  // a lambda often shares its snippet's line
                    err.println("\tat " + line);
                }
                previous = line == null ? previous : line;
            }
            prefix = "Caused by: ";
        }
        if (initializedTwice(thrown)) {
            err.println("hint: `sonde run` starts Sonde before the script runs; remove the Sonde.init call, and choose"
                    + " the cluster with `sonde run --address` or SONDE_ADDRESS instead.");
        }
        err.flush();
    }

    /** A script written for a program: it calls {@code Sonde.init}, which {@code sonde run} already did. */
    private static boolean initializedTwice(Throwable t) {
        String cls = t instanceof EvalException e ? e.getExceptionClassName() : t.getClass().getName();
        return cls.equals(IllegalStateException.class.getName()) && t.getMessage() != null
                && t.getMessage().startsWith("Sonde is already initialized");
    }

    /** {@code java.lang.IllegalStateException: bad}, with the class the script saw, not JShell's wrapper. */
    String describe(Throwable t) {
        if (t instanceof UnresolvedReferenceException u) {
            DeclarationSnippet s = u.getSnippet();
            String missing = String.join(" and ", jshell.unresolvedDependencies(s).collect(Collectors.toList()));
            return "error: " + what(s) + " cannot be used: " + (missing.isEmpty() ? "what it uses" : missing)
                    + " is not defined";
        }
        String cls = t instanceof EvalException e ? e.getExceptionClassName() : t.getClass().getName();
        String message = t.getMessage();
        if (t instanceof EvalException && "null".equals(message)) {
            message = null;                          // JShell turns a missing message into "null"
        }
        if (message != null) {
            message = message.stripTrailing();
        }
        return message == null ? cls : cls + ": " + message;
    }

    /** A frame as the user should read it: script code as its line in the script, others unchanged. */
    String frame(StackTraceElement frame) {
        Optional<SnippetLocator.Location> at = locator.locate(frame);
        ScriptSplitter.Piece piece = at.map(l -> pieces.get(l.snippetId())).orElse(null);
        if (piece == null) {
            return frame.toString();
        }
        int line = at.get().line();
        String[] lines = piece.source().split("\n", -1);
        String code = line >= 1 && line <= lines.length ? lines[line - 1].strip() : piece.headline();
        return "snippet " + piece.number() + " (" + scriptName + ":" + piece.scriptLine(line) + ")" + method(frame)
                + ": " + code;
    }

    /** Frames of Sonde's and JShell's machinery: how the code ran, not where it failed. */
    static boolean isInternal(StackTraceElement frame) {
        String c = frame.getClassName();
        for (String p : INTERNAL) {
            if (c.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** {@code method divide(int)}, {@code class Counter}, {@code variable k}. */
    private static String what(DeclarationSnippet s) {
        if (s instanceof MethodSnippet m) {
            return "method " + m.name() + "(" + m.parameterTypes() + ")";
        }
        if (s instanceof TypeDeclSnippet) {
            return "type " + s.name();
        }
        return "variable " + s.name();
    }

    /** Where in the snippet: nothing for its top-level code, else the method, or the method a lambda is in. */
    private static String method(StackTraceElement frame) {
        return SnippetLocator.within(frame.getClassName(), frame.getMethodName());
    }
}
