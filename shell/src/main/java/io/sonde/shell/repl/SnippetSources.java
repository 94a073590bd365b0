package io.sonde.shell.repl;

import io.sonde.debugger.SourceProvider;
import io.sonde.debugger.DebugException;
import io.sonde.debugger.proto.BreakpointInfo;
import io.sonde.debugger.proto.LineBreakpoint;

import java.util.List;
import java.util.Optional;

/**
 * The debugger's source for code typed into the shell: a frame in a snippet class
 * ({@code REPL.$JShell$12}, {@code REPL.$JShell$12$Counter}) shows the snippet's text, and is
 * named as the shell names frames of stack traces: {@code snippet 12, line 2, in square()}.
 * Other classes are left to the debugger's source path.
 */
public final class SnippetSources implements SourceProvider {
    private final SnippetLocator locator;

    public SnippetSources(SnippetLocator locator) {
        this.locator = locator;
    }

    @Override
    public Optional<Source> find(String className, String method, int line) {
        return locator.locate(className, line).map(l -> new Source(l + SnippetLocator.within(className, method),
                lines(l.source()), l.line()));
    }

    private static List<String> lines(String source) {
        String s = source.endsWith("\n") ? source.substring(0, source.length() - 1) : source;
        return List.of(s.split("\n", -1));
    }

    /**
     * {@code break 12:3}, typed in the shell's debugger: the file {@code 12} is a snippet id, and
     * the breakpoint goes into the snippet's class at the wrapped source's line. Other lines are
     * returned as they are.
     */
    public LineBreakpoint compiled(LineBreakpoint l) {
        if (!l.getFile().matches("\\d+")) {
            return l;
        }
        SnippetLocator.ClassLine c = locator.compiledLine(l.getFile(), l.getLine()).orElseThrow(() -> new DebugException(
                "Snippet " + l.getFile() + " has no code at line " + l.getLine() + " (see /list for the snippets and their ids)."));
        return l.toBuilder().setFile(c.className()).setLine(c.line()).build();
    }

    /** A breakpoint in a snippet's class, as the user typed it: {@code 12:3}. */
    public LineBreakpoint typed(LineBreakpoint l) {
        try {
            return locator.locate(l.getFile(), l.getLine())
                    .map(at -> l.toBuilder().setFile(at.snippetId()).setLine(at.line()).build())
                    .orElse(l);
        } catch (RuntimeException e) {
            return l;
        }
    }

    /**
     * A stop in snippet code as the list of breakpoints and the driver's notice show it: file
     * {@code snippet 12} and the line in the snippet, instead of the wrapper class's
     * {@code $JShell$12.java} and its line. Other stops, and any the snippets cannot say
     * (JShell is being changed by another thread), are returned as they are.
     */
    public BreakpointInfo relabel(BreakpointInfo b) {
        try {
            return locator.locate(b.getClassName(), b.getLine())
                    .map(l -> b.toBuilder().setFile("snippet " + l.snippetId()).setLine(l.line()).build())
                    .orElse(b);
        } catch (RuntimeException e) {
            return b;
        }
    }
}
