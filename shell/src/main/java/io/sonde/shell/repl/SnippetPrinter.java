package io.sonde.shell.repl;

import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.ExpressionSnippet;
import jdk.jshell.JShell;
import jdk.jshell.MethodSnippet;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.TypeDeclSnippet;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.VarSnippet;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Says what evaluating a snippet did, in the words of the {@code jshell} tool's "normal"
 * feedback: {@code $3 ==> 6}, {@code k ==> 5}, {@code |  created record P},
 * {@code |  modified method twice(int)}, compile errors with a caret under the culprit, and
 * exceptions with their stack traces mapped back to the snippets typed
 * ({@code at snippet 7, line 2: get(r)}) and Sonde's and JShell's own frames left out.
 *
 * <p>Shared by {@code sonde shell} and {@code sonde run}: both print what
 * {@link #describe(List)} returns after each {@link ShellEngine#eval}. {@link Feedback#QUIET}
 * is for scripts: only errors and exceptions. The text is plain (no colour); every line ends
 * with {@code \n}. Thread-safe as far as the {@link JShell} it reads is.
 */
public final class SnippetPrinter {
    /** How much to say about snippets that worked. */
    public enum Feedback {
        /** As the jshell tool's normal mode: values, created/modified declarations, errors. */
        NORMAL,
        /** As a script runs: nothing about snippets that worked; errors and exceptions only. */
        QUIET
    }

    private static final String PREFIX = "|  ";
    private static final String FRAME_PREFIX = "|        ";
    /** Frames of these packages are how Sonde and JShell work, not where the user's code failed. */
    private static final List<String> INTERNAL = List.of(
            "io.sonde.", "jdk.jshell.", "jdk.internal.", "java.lang.reflect.", "java.lang.invoke.", "sun.reflect.");

    private final JShell jshell;
    private final SnippetLocator locator;
    private final Feedback feedback;

    public SnippetPrinter(JShell jshell, SnippetLocator locator, Feedback feedback) {
        this.jshell = Objects.requireNonNull(jshell, "jshell");
        this.locator = Objects.requireNonNull(locator, "locator");
        this.feedback = Objects.requireNonNull(feedback, "feedback");
    }

    /** A printer for the snippets of {@code engine}. */
    public static SnippetPrinter of(ShellEngine engine, Feedback feedback) {
        return new SnippetPrinter(engine.jshell(), engine.locator(), feedback);
    }

    /**
     * What to print after {@code events} (the result of one {@link ShellEngine#eval}); empty when
     * there is nothing to say (an import, a statement, a void call, or anything in QUIET mode
     * that worked).
     */
    public String describe(List<SnippetEvent> events) {
        StringBuilder b = new StringBuilder();
        for (SnippetEvent e : events) {
            if (e.causeSnippet() != null) {
                continue; // dependents re-evaluated because of this snippet: normal mode is silent about them
            }
            b.append(describe(e, events));
        }
        return b.toString();
    }

    /** One event of the snippet itself; {@code all} holds the events of dependents it changed. */
    private String describe(SnippetEvent e, List<SnippetEvent> all) {
        Snippet sn = e.snippet();
        if (e.status() == Snippet.Status.REJECTED || sn.kind() == Snippet.Kind.ERRONEOUS) {
            return errors(sn);
        }
        if (e.exception() != null) {
            return describeException(e.exception());
        }
        if (feedback == Feedback.QUIET) {
            return "";
        }
        return switch (sn.kind()) {
            case VAR -> variable(e, (VarSnippet) sn, all);
            case EXPRESSION -> e.value() == null ? "" : value(((ExpressionSnippet) sn).name(), e.value());
            case METHOD, TYPE_DECL -> declaration(e, (DeclarationSnippet) sn, all);
            default -> ""; // imports and statements: jshell says nothing
        };
    }

    /** An exception a snippet threw, as the shell shows it; see {@link #describeException(Throwable, SnippetLocator)}. */
    public String describeException(Throwable t) {
        if (t instanceof UnresolvedReferenceException u) {
            DeclarationSnippet d = u.getSnippet();
            String verb = d instanceof MethodSnippet ? "call" : d instanceof TypeDeclSnippet ? "use" : "reference";
            return PREFIX + "attempted to " + verb + " " + what(d) + " which " + cannot(d) + unresolved(d) + " declared\n";
        }
        return describeException(t, locator);
    }

    /**
     * {@code |  Exception io.sonde.TaskException: task square (pid=4711, node=...) failed: ...},
     * then the stack trace of it and of each cause ({@code |  Caused by: ...}) with snippet
     * frames as {@code at snippet 7, line 2: <source line>} and the frames of Sonde's and
     * JShell's machinery left out. Works for the {@link EvalException}s of snippet events (whose
     * class names are JShell's strings) and for ordinary exceptions alike.
     */
    public static String describeException(Throwable t, SnippetLocator locator) {
        StringBuilder b = new StringBuilder();
        Set<Throwable> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        List<String> enclosing = List.of();
        boolean first = true;
        for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
            b.append(PREFIX).append(first ? "Exception " : "Caused by: ").append(headline(c)).append('\n');
            List<String> frames = frames(c, locator);
            // as Java prints causes: the frames shared with the exception that wraps it are left out
            int shared = 0;
            while (shared < frames.size() && shared < enclosing.size()
                    && frames.get(frames.size() - 1 - shared).equals(enclosing.get(enclosing.size() - 1 - shared))) {
                shared++;
            }
            for (String f : frames.subList(0, frames.size() - shared)) {
                b.append(FRAME_PREFIX).append(f).append('\n');
            }
            if (shared > 0) {
                b.append(FRAME_PREFIX).append("... ").append(shared).append(" more\n");
            }
            enclosing = frames;
            first = false;
        }
        return b.toString();
    }

    /** The frames worth reading, as the user should read them: internal ones out, snippet ones mapped. */
    private static List<String> frames(Throwable t, SnippetLocator locator) {
        List<String> out = new ArrayList<>();
        for (StackTraceElement f : t.getStackTrace()) {
            if (isInternal(f)) {
                continue;
            }
            String line = locator.describe(f);
            if (out.isEmpty() || !out.get(out.size() - 1).equals(line)) {
                out.add(line); // a lambda and the snippet that wrote it often share a line
            }
        }
        return out;
    }

    /** {@code java.lang.IllegalStateException: bad}, with the class the exception really had. */
    static String headline(Throwable t) {
        String type = t instanceof EvalException e ? e.getExceptionClassName() : t.getClass().getName();
        String message = t.getMessage();
        if (t instanceof EvalException && "null".equals(message)) {
            message = null; // JShell turns a missing message into the string "null"
        }
        return message == null ? type : type + ": " + message;
    }

    private static boolean isInternal(StackTraceElement f) {
        String c = f.getClassName();
        for (String p : INTERNAL) {
            if (c.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** {@code |  Error:}, the compiler's message, the source line and a caret under the error. */
    String errors(Snippet sn) {
        StringBuilder b = new StringBuilder();
        List<Diag> diags = jshell.diagnostics(sn).filter(Diag::isError).toList();
        if (diags.isEmpty()) {
            return PREFIX + "Error: the snippet was rejected:\n" + indent(sn.source()) + "\n";
        }
        for (Diag d : diags) {
            b.append(PREFIX).append("Error:\n");
            for (String line : d.getMessage(Locale.getDefault()).split("\\R")) {
                b.append(PREFIX).append(line).append('\n');
            }
            b.append(caret(sn.source(), d));
        }
        return b.toString();
    }

    /** The source line holding the diagnostic's start and {@code ^--^} under its span. */
    static String caret(String source, Diag d) {
        long start = d.getStartPosition() >= 0 ? d.getStartPosition() : d.getPosition();
        long end = d.getEndPosition() >= 0 ? d.getEndPosition() : start + 1;
        if (start < 0 || start > source.length()) {
            return "";
        }
        int lineStart = source.lastIndexOf('\n', (int) Math.max(0, start - 1)) + 1;
        if (start == 0) {
            lineStart = 0;
        }
        int lineEnd = source.indexOf('\n', (int) start);
        if (lineEnd < 0) {
            lineEnd = source.length();
        }
        String line = source.substring(lineStart, lineEnd);
        int col = (int) start - lineStart;
        int width = (int) Math.max(1, Math.min(end, lineEnd) - start);
        StringBuilder pad = new StringBuilder();
        for (int i = 0; i < col && i < line.length(); i++) {
            pad.append(line.charAt(i) == '\t' ? '\t' : ' ');
        }
        String mark = width <= 1 ? "^" : "^" + "-".repeat(width - 2) + "^";
        return PREFIX + line + "\n" + PREFIX + pad + mark + "\n";
    }

    private String variable(SnippetEvent e, VarSnippet v, List<SnippetEvent> all) {
        if (e.status() == Snippet.Status.VALID) {
            return value(v.name(), e.value());
        }
        return PREFIX + action(e, all) + " variable " + v.name() + resolution(v, ", however, it " + cannot(v)) + "\n";
    }

    private String declaration(SnippetEvent e, DeclarationSnippet d, List<SnippetEvent> all) {
        return PREFIX + action(e, all) + " " + what(d) + resolution(d, ", however, it " + cannot(d)) + "\n";
    }

    /** What an unresolved declaration cannot do yet, in jshell's words. */
    private static String cannot(DeclarationSnippet d) {
        if (d instanceof MethodSnippet) {
            return "cannot be invoked until ";
        }
        if (d instanceof TypeDeclSnippet) {
            return "cannot be instantiated or its methods invoked until ";
        }
        return "cannot be referenced until ";
    }

    /** {@code method twice(int)}, {@code record P}, {@code variable k}. */
    static String what(DeclarationSnippet d) {
        if (d instanceof MethodSnippet m) {
            return "method " + m.name() + "(" + m.parameterTypes() + ")";
        }
        if (d instanceof TypeDeclSnippet) {
            return typeKind(d) + " " + d.name();
        }
        return "variable " + d.name();
    }

    private static String typeKind(Snippet sn) {
        return switch (sn.subKind()) {
            case INTERFACE_SUBKIND -> "interface";
            case ENUM_SUBKIND -> "enum";
            case ANNOTATION_TYPE_SUBKIND -> "annotation interface";
            case RECORD_SUBKIND -> "record";
            default -> "class";
        };
    }

    /**
     * jshell's words: created the first time, modified when redefined with the same signature
     * (a method's parameter and return types, a type's header, a variable's type), replaced when
     * that changed. JShell flags every redefinition as a signature change, so the declaration it
     * overwrote (its event has this snippet as cause) is compared with the new one.
     */
    private static String action(SnippetEvent e, List<SnippetEvent> all) {
        if (e.previousStatus() == null || !e.previousStatus().isActive()) {
            return "created";
        }
        for (SnippetEvent other : all) {
            if (other.causeSnippet() == e.snippet() && other.status() == Snippet.Status.OVERWRITTEN
                    && other.snippet() != e.snippet()) {
                return signature(other.snippet()).equals(signature(e.snippet())) ? "modified" : "replaced";
            }
        }
        return e.isSignatureChange() ? "replaced" : "modified";
    }

    private static String signature(Snippet s) {
        if (s instanceof MethodSnippet m) {
            return m.signature();
        }
        if (s instanceof VarSnippet v) {
            return v.typeName();
        }
        String src = s.source();
        int brace = src.indexOf('{');
        return (brace < 0 ? src : src.substring(0, brace)).replaceAll("\\s+", " ").strip();
    }

    private String resolution(DeclarationSnippet d, String however) {
        if (jshell.status(d) == Snippet.Status.VALID) {
            return "";
        }
        List<String> names = jshell.unresolvedDependencies(d).toList();
        if (names.isEmpty()) {
            return "";
        }
        return however + unresolved(d) + " declared";
    }

    /** {@code variable zz is} / {@code variable a and method b() are}. */
    private String unresolved(DeclarationSnippet d) {
        List<String> names = new ArrayList<>(jshell.unresolvedDependencies(d).toList());
        if (names.isEmpty()) {
            return "its dependencies are";
        }
        String list;
        if (names.size() == 1) {
            list = names.get(0);
        } else if (names.size() == 2) {
            list = names.get(0) + " and " + names.get(1);
        } else {
            list = String.join(", ", names.subList(0, names.size() - 1)) + ", and " + names.get(names.size() - 1);
        }
        return list + (names.size() == 1 ? " is" : " are");
    }

    /** The engine made the value's text already bounded: see {@link ValuePreview}. */
    private static String value(String name, String value) {
        return name + " ==> " + (value == null ? "null" : value) + "\n";
    }

    private static String indent(String text) {
        StringBuilder b = new StringBuilder();
        for (String line : text.split("\\R", -1)) {
            if (b.length() > 0) {
                b.append('\n');
            }
            b.append(PREFIX).append(line);
        }
        return b.toString();
    }
}
