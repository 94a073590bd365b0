package io.sonde.debugger;

import java.util.List;
import java.util.Optional;

/**
 * The source of frames whose code has no file to find under the source path: code typed into
 * {@code sonde shell}, which exists only as the snippets JShell holds. The shell passes one in
 * {@link DebugOptions#withSourceProvider}; a class it does not know is looked up under the
 * source path as usual.
 */
@FunctionalInterface
public interface SourceProvider {
    /**
     * Where a frame is in code this provider knows, or empty to look under the source path.
     *
     * @param className the frame's class, as JDI names it ({@code REPL.$JShell$12})
     * @param method    the frame's method ({@code lambda$do_it$0})
     * @param line      the line JDI reports, a line of the class file's source
     */
    Optional<Source> find(String className, String method, int line);

    /**
     * Source text and a place in it.
     *
     * @param where how the debugger names the place: {@code snippet 12, line 2, in square()}
     * @param lines the source's lines
     * @param line  the frame's line in {@code lines}, from 1
     */
    record Source(String where, List<String> lines, int line) {
        public Source {
            lines = List.copyOf(lines);
        }
    }
}
