package io.sonde.debugger;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** Source lines of a frame, found through a {@link SourceLocator}, or a note that says what was looked for where. */
public final class SourceView {
    private final SourceLocator locator;

    public SourceView(SourceLocator locator) {
        this.locator = locator;
    }

    public SourceLocator locator() {
        return locator;
    }

    /** The frame's line with {@link SourceLocator#CONTEXT} lines before and after. */
    public String context(DebugSession.Frame f) {
        return around(f, f.line());
    }

    /** Lines around {@code center}, the frame's line marked. */
    public String around(DebugSession.Frame f, int center) {
        return text(f, center - SourceLocator.CONTEXT, center + SourceLocator.CONTEXT + 1);
    }

    /** The frame's line only. */
    public String line(DebugSession.Frame f) {
        return text(f, f.line(), f.line());
    }

    private String text(DebugSession.Frame f, int from, int to) {
        if (f.line() <= 0) {
            return "(no line information for " + f.className() + "." + f.method() + ")\n";
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
