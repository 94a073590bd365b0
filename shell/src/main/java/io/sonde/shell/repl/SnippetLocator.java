package io.sonde.shell.repl;

import jdk.jshell.JShell;
import jdk.jshell.Snippet;

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
 * suffix ({@code $JShell$12B}). Line numbers in snippet classes are lines of the snippet source.
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

    /** The frame as the user should read it: snippet frames mapped, others unchanged. */
    public String describe(StackTraceElement frame) {
        return locate(frame).map(l -> "at " + l + ": " + l.sourceLine()).orElse("at " + frame);
    }

    /** Whether a snippet's id is one of the snippets JShell knows. */
    public boolean knows(Snippet s) {
        return jshell.snippets().anyMatch(x -> x.id().equals(s.id()));
    }
}
