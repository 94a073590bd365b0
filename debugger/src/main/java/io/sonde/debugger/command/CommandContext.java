package io.sonde.debugger.command;

import io.sonde.debugger.BreakpointSource;
import io.sonde.debugger.DebugSession;
import io.sonde.debugger.SourceView;

import java.io.PrintWriter;
import java.util.function.Consumer;

/**
 * What a command works with: the session (null at the breakpoint list), the output, the source
 * view, the table, the cluster (for breakpoints set in every worker), and where {@code remote}
 * and {@code get} say which stop the console follows next.
 */
public record CommandContext(DebugSession session, PrintWriter out, SourceView sources, CommandTable table,
                             BreakpointSource cluster, Consumer<Follow> follow) {
}
