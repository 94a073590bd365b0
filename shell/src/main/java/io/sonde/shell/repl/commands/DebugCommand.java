package io.sonde.shell.repl.commands;

import io.sonde.shell.repl.ShellDebugger;

/**
 * {@code /debug}: the debugger of {@code sonde debug} in the shell, on the shell's terminal: the
 * tasks of the cluster parked at {@code Sonde.breakpoint()}, then an {@code (sdb)} prompt
 * attached to the one chosen; {@code quit} or Ctrl-D comes back to the shell's prompt.
 */
final class DebugCommand implements SlashCommand {
    @Override
    public String name() {
        return "debug";
    }

    @Override
    public String help() {
        return "the tasks parked at Sonde.breakpoint() and a debugger for one (as sonde debug); quit comes back";
    }

    @Override
    public boolean needsCluster() {
        return true;
    }

    @Override
    public void run(CommandContext context, String arguments) {
        if (!arguments.isEmpty()) {
            throw new CommandException("/debug takes no arguments: it lists the tasks parked at Sonde.breakpoint(),"
                    + " then you enter the index of the one to attach to.");
        }
        ShellDebugger.console(context.engine(), context.cluster(), context.lineInput(), context.plainOut()).run();
        context.plainOut().flush();
    }
}
