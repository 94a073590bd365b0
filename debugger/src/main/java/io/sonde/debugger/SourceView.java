package io.sonde.debugger;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Source lines of a frame, found through a {@link SourceProvider} (the shell's snippets) or a
 * {@link SourceLocator}, or a note that says what was looked for where.
 */
public final class SourceView {
    private final SourceLocator locator;
    private final SourceProvider provider;

    public SourceView(SourceLocator locator) {
        this(locator, null);
    }

    /** @param provider asked first for each frame; null to look under the source path only */
    public SourceView(SourceLocator locator, SourceProvider provider) {
        this.locator = locator;
        this.provider = provider;
    }

    public SourceLocator locator() {
        return locator;
    }

    /**
     * How the debugger names the frame: {@code Tasks.square (Tasks.java:12)}, or what the
     * provider says of code it knows ({@code snippet 12, line 2, in square()}).
     */
    public String describe(DebugSession.Frame f) {
        return provided(f).map(SourceProvider.Source::where).orElseGet(f::describe);
    }

    /** The frame's line as {@link #around} and {@code list} number it: the provider's, else the file's. */
    public int lineNumber(DebugSession.Frame f) {
        return provided(f).map(SourceProvider.Source::line).orElse(f.line());
    }

    /** The frame's line with {@link SourceLocator#CONTEXT} lines before and after. */
    public String context(DebugSession.Frame f) {
        return around(f, lineNumber(f));
    }

    /** Lines around {@code center} (numbered as {@link #lineNumber} numbers them), the frame's line marked. */
    public String around(DebugSession.Frame f, int center) {
        return text(f, center - SourceLocator.CONTEXT, center + SourceLocator.CONTEXT + 1);
    }

    /** The frame's line only. */
    public String line(DebugSession.Frame f) {
        int n = lineNumber(f);
        return text(f, n, n);
    }

    /**
     * The import lines of the frame's source file ({@code import java.util.stream.Collectors;}),
     * for expressions compiled in that frame; none if the file is not under the source path.
     */
    public List<String> imports(DebugSession.Frame f) {
        if (provided(f).isPresent()) {
            return List.of();
        }
        Optional<Path> file = locator.find(f.sourcePath(), f.file());
        if (file.isEmpty()) {
            return List.of();
        }
        return locator.lines(file.get()).stream().map(String::strip)
                .filter(l -> l.matches("import\\s+(static\\s+)?[\\w.$]+(\\.\\*)?\\s*;.*"))
                .map(l -> l.substring(0, l.indexOf(';') + 1))
                .toList();
    }

    private Optional<SourceProvider.Source> provided(DebugSession.Frame f) {
        if (provider == null || f.line() <= 0) {
            return Optional.empty();
        }
        try {
            return provider.find(f.className(), f.method(), f.line());
        } catch (RuntimeException e) {
            return Optional.empty(); // a provider that fails leaves the frame to the source path
        }
    }

    private String text(DebugSession.Frame f, int from, int to) {
        if (f.line() <= 0) {
            return "(no line information for " + f.className() + "." + f.method() + ")\n";
        }
        Optional<SourceProvider.Source> given = provided(f);
        if (given.isPresent()) {
            return SourceLocator.render(given.get().lines(), from, to, given.get().line());
        }
        Optional<Path> file = locator.find(f.sourcePath(), f.file());
        if (file.isEmpty()) {
            return "(source not found: " + f.className() + " line " + f.line() + "; " + f.file() + " is not under "
                    + locator.roots().stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator))
                    + " - pass --sourcepath)\n";
        }
        List<String> lines = locator.lines(file.get());
        if (f.line() > lines.size()) {
            return "(" + file.get() + " has " + lines.size() + " lines, the frame is at line " + f.line()
                    + ": the source does not match the running code)\n";
        }
        return SourceLocator.render(lines, from, to, f.line());
    }
}
