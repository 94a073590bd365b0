package io.sonde.shell.repl;

import io.sonde.debugger.BreakpointSource;
import io.sonde.debugger.DebugConsole;
import io.sonde.debugger.DebugOptions;
import io.sonde.debugger.LineInput;
import io.sonde.debugger.proto.DebugHooks;
import io.sonde.debugger.proto.DebugHooksUpdate;
import io.sonde.debugger.proto.LineBreakpoint;

import java.io.PrintWriter;

/**
 * The debugger as the shell runs it, for {@code /debug} and for the session the shell opens by
 * itself when a snippet's task stops at {@code Sonde.breakpoint()}: the console of
 * {@code sonde debug} on the cluster the shell joined, with the snippets as the source of
 * frames in snippet code and the stops in snippet code listed by snippet and line.
 */
public final class ShellDebugger {
    private ShellDebugger() {
    }

    /**
     * @param in  the shell's terminal, or the input it reads when there is none
     * @param out where the console prints, without the shell's {@code |  } prefix
     */
    public static DebugConsole console(ShellEngine engine, ClusterView cluster, LineInput in, PrintWriter out) {
        return console(engine, cluster, in, out, -1);
    }

    /**
     * As {@link #console(ShellEngine, ClusterView, LineInput, PrintWriter)}; with {@code jdwpPort}
     * 0 or more, a chosen stop waits on that loopback port for an IDE's debugger instead
     * ({@code /debug --jdwp-port}, as {@code sonde debug --jdwp-port}).
     */
    public static DebugConsole console(ShellEngine engine, ClusterView cluster, LineInput in, PrintWriter out,
                                       int jdwpPort) {
        SnippetSources snippets = new SnippetSources(engine.locator());
        BreakpointSource listed = cluster.breakpoints();
        BreakpointSource relabelled = new BreakpointSource() {
            @Override
            public java.util.List<io.sonde.debugger.proto.BreakpointInfo> list() {
                return listed.list().stream().map(snippets::relabel).toList();
            }

            /** {@code break 12:3} names line 3 of snippet 12: it goes to the workers as the snippet's class and line. */
            @Override
            public DebugHooks updateHooks(DebugHooksUpdate update) {
                DebugHooksUpdate.Builder compiled = update.toBuilder().clearAddLines();
                for (LineBreakpoint l : update.getAddLinesList()) {
                    compiled.addAddLines(snippets.compiled(l));
                }
                DebugHooks all = listed.updateHooks(compiled.build());
                DebugHooks.Builder shown = all.toBuilder().clearLines();
                for (LineBreakpoint l : all.getLinesList()) {
                    shown.addLines(snippets.typed(l));
                }
                return shown.build();
            }

            @Override
            public boolean taskEnded(String taskId) {
                return listed.taskEnded(taskId);
            }

            @Override
            public com.sun.jdi.connect.spi.Connection jdwp(io.sonde.debugger.proto.BreakpointInfo b) {
                return listed.jdwp(b);
            }

            @Override
            public DebugHooks compiledHooks() {
                return listed.hooks();
            }
        };
        return new DebugConsole(relabelled, in, out,
                DebugOptions.defaults().withSourceProvider(snippets).withJdwpPort(jdwpPort));
    }
}
