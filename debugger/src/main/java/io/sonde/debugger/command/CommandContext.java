package io.sonde.debugger.command;

import io.sonde.debugger.DebugSession;
import io.sonde.debugger.SourceView;

import java.io.PrintWriter;

/** What a command works with: the session (null at the breakpoint list), the output, the source view, the table. */
public record CommandContext(DebugSession session, PrintWriter out, SourceView sources, CommandTable table) {
}
