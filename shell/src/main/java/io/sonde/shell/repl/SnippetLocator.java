package io.sonde.shell.repl;

import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SourceCodeAnalysis;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns stack frames in snippet classes ({@code REPL.$JShell$12.do_it$(#12:2)} or, in a worker,
 * {@code REPL.$JShell$12.lambda$do_it$$0($JShell$12.java:2)}, or as JShell reports them in a
 * {@code SnippetEvent}'s exception, {@code .lambda$do_it$$0(#12:2)}) into the snippet the user
 * typed: {@code at snippet 7, line 2: get(task(...).remote())}.
 *
 * <p>JShell numbers wrapper classes by snippet id; a redefined snippet's class gets a letter
 * suffix ({@code $JShell$12B}). In the exceptions JShell reports, frames of snippet code carry
 * lines of the snippet. A snippet class itself (what a debugger or a raw stack frame sees)
 * numbers the lines of the source JShell compiled: the snippet wrapped in a package, imports
 * and a class, mapped back with the wrapper's positions ({@link #locate(String, int)}).
 */
public final class SnippetLocator {
    private static final Pattern WRAPPER = Pattern.compile("REPL\\.\\$JShell\\$(\\d+)[A-Z]*(\\$.*)?");
    /** The file name JShell gives frames of snippet code in the exceptions it reports: {@code #12}. */
    private static final Pattern SNIPPET_FILE = Pattern.compile("#(\\w+)");

    /** A frame that belongs to a snippet: its id, the 1-based line in the snippet, and its source. */
    public record Location(String snippetId, int line, String source) {
        public String sourceLine() {
            String[] lines = source.split("\n", -1);
            return line >= 1 && line <= lines.length ? lines[line - 1].strip() : source.strip();
        }

        @Override
        public String toString() {
            return "snippet " + snippetId + ", line " + line;
        }
    }

    private final JShell jshell;

    SnippetLocator(JShell jshell) {
        this.jshell = jshell;
    }

    public Optional<Location> locate(StackTraceElement frame) {
        String id;
        Matcher m = WRAPPER.matcher(frame.getClassName());
        if (m.matches()) {
            Optional<Location> mapped = locate(frame.getClassName(), frame.getLineNumber());
            if (mapped.isPresent()) {
                return mapped;
            }
            id = m.group(1);
        } else {
            // JShell rewrites snippet frames of the exceptions it reports (SnippetEvent.exception(),
            // causes included, worker-side ones too): class "" or a snippet class's simple name,
            // file "#<snippet id>", line within the snippet.
            Matcher f = frame.getFileName() == null ? null : SNIPPET_FILE.matcher(frame.getFileName());
            if (f == null || !f.matches()) {
                return Optional.empty();
            }
            id = f.group(1);
        }
        return jshell.snippets().filter(s -> s.id().equals(id)).findFirst()
                .map(s -> new Location(id, Math.max(frame.getLineNumber(), 1), s.source()));
    }

    /**
     * A line of a snippet class ({@code REPL.$JShell$12}, {@code REPL.$JShell$12$Counter}) as
     * the class file, JDI or a raw stack frame numbers it, turned into the line of the snippet.
     * Empty for other classes, and for a class of a snippet that has been redefined since (its
     * lines are those of a source JShell no longer holds).
     */
    public Optional<Location> locate(String className, int classLine) {
        Matcher m = WRAPPER.matcher(className);
        if (!m.matches() || classLine <= 0) {
            return Optional.empty();
        }
        String id = m.group(1);
        String outer = m.group(2) == null ? className : className.substring(0, className.length() - m.group(2).length());
        return jshell.snippets().filter(s -> s.id().equals(id)).findFirst().flatMap(s -> {
            SourceCodeAnalysis.SnippetWrapper w = jshell.sourceCodeAnalysis().wrapper(s);
            if (!outer.equals(w.fullClassName())) {
                return Optional.empty();
            }
            int line = snippetLine(w, s.source(), classLine);
            return line > 0 ? Optional.of(new Location(id, line, s.source())) : Optional.empty();
        });
    }

    /** Where a line of a snippet is compiled: the snippet's class and the line of the wrapped source. */
    public record ClassLine(String className, int line) {
    }

    /**
     * The class and wrapped-source line that a line of snippet {@code snippetId} compiles to: the
     * inverse of {@link #locate(String, int)}, for breakpoints typed as {@code break 12:3}. Empty if
     * there is no such snippet or line, or the line holds no code of its own (blank).
     */
    public Optional<ClassLine> compiledLine(String snippetId, int snippetLine) {
        return jshell.snippets().filter(s -> s.id().equals(snippetId)).findFirst().flatMap(s -> {
            String source = s.source();
            int start = 0;
            for (int n = 1; n < snippetLine; n++) {
                start = source.indexOf('\n', start) + 1;
                if (start == 0) {
                    return Optional.empty();
                }
            }
            int end = source.indexOf('\n', start);
            end = end < 0 ? source.length() : end;
            int p = start;
            while (p < end && Character.isWhitespace(source.charAt(p))) {
                p++;
            }
            if (p >= end) {
                return Optional.empty();
            }
            SourceCodeAnalysis.SnippetWrapper w = jshell.sourceCodeAnalysis().wrapper(s);
            int at = w.sourceToWrappedPosition(p);
            if (at < 0) {
                return Optional.empty();
            }
            int line = 1;
            String wrapped = w.wrapped();
            for (int i = 0; i < Math.min(at, wrapped.length()); i++) {
                if (wrapped.charAt(i) == '\n') {
                    line++;
                }
            }
            return Optional.of(new ClassLine(w.fullClassName(), line));
        });
    }

    /**
     * The snippet line of a line of the wrapped source: the first character of that line that
     * comes from the snippet gives the position in the snippet. Lines of the wrapper only
     * (the class header) map to where the snippet starts. 0 if the line is past the wrapper's end.
     */
    private static int snippetLine(SourceCodeAnalysis.SnippetWrapper w, String source, int wrappedLine) {
        String wrapped = w.wrapped();
        int start = 0;
        for (int n = 1; n < wrappedLine; n++) {
            start = wrapped.indexOf('\n', start) + 1;
            if (start == 0) {
                return 0;
            }
        }
        int end = wrapped.indexOf('\n', start);
        end = end < 0 ? wrapped.length() : end;
        for (int p = start; p < end; p++) {
            if (Character.isWhitespace(wrapped.charAt(p))) {
                continue;
            }
            int at = w.wrappedToSourcePosition(p);
            if (at >= 0) {
                int line = 1;
                for (int i = 0; i < Math.min(at, source.length()); i++) {
                    if (source.charAt(i) == '\n') {
                        line++;
                    }
                }
                return line;
            }
        }
        return 1;
    }

    /**
     * Where in the snippet a method is: nothing for the snippet's top-level code, else
     * {@code , in square()}, {@code , in Counter.increment()}, {@code , in a lambda},
     * {@code , in a lambda in square()}, {@code , in a constructor}. {@code className} is a
     * snippet class ({@code REPL.$JShell$12$Counter}) or the name JShell gives it in the
     * exceptions it reports ({@code ""} or {@code Counter}).
     */
    public static String within(String className, String method) {
        if (method.equals("do_it$") || method.equals("do_it$Aux") || method.isEmpty()) {
            return "";
        }
        if (method.startsWith("lambda$")) {
            String[] parts = method.split("\\$");
            String in = parts.length > 1 ? parts[1] : "";
            return in.isEmpty() || in.equals("do_it") || in.equals("static") || in.equals("new")
                    ? ", in a lambda" : ", in a lambda in " + in + "()";
        }
        if (method.equals("<init>")) {
            return ", in a constructor";
        }
        if (method.equals("<clinit>")) {
            return ", in a static initializer";
        }
        String type = className;
        Matcher m = WRAPPER.matcher(className);
        if (m.matches()) {
            type = m.group(2) == null ? "" : m.group(2).substring(1).replace('$', '.');
        } else if (className.startsWith("REPL.")) {
            type = "";
        }
        return ", in " + (type.isEmpty() ? "" : type + ".") + method + "()";
    }

    /** The frame as the user should read it: snippet frames mapped, others unchanged. */
    public String describe(StackTraceElement frame) {
        return locate(frame).map(l -> "at " + l + ": " + l.sourceLine()).orElse("at " + frame);
    }

    /** Whether a snippet's id is one of the snippets JShell knows. */
    public boolean knows(Snippet s) {
        return jshell.snippets().anyMatch(x -> x.id().equals(s.id()));
    }
}
