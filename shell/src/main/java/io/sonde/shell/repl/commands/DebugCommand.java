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
        return "the tasks parked at Sonde.breakpoint() and a debugger for one (as sonde debug; --jdwp-port PORT for an IDE's);"
                + " quit comes back";
    }

    @Override
    public boolean needsCluster() {
        return true;
    }

    @Override
    public void run(CommandContext context, String arguments) {
        ShellDebugger.console(context.engine(), context.cluster(), context.lineInput(), context.plainOut(),
                jdwpPort(arguments)).run();
        context.plainOut().flush();
    }

    /** -1 for none, else the port of {@code --jdwp-port PORT}; anything else is refused with the usage. */
    static int jdwpPort(String arguments) {
        if (arguments.isBlank()) {
            return -1;
        }
        String[] words = arguments.trim().split("\\s+");
        if (words.length == 2 && words[0].equals("--jdwp-port")) {
            try {
                int port = Integer.parseInt(words[1]);
                if (port >= 0 && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException notANumber) {
                // the usage below
            }
            throw new CommandException("--jdwp-port takes a port from 0 to 65535 (0: any free port), not " + words[1] + ".");
        }
        throw new CommandException("/debug takes no arguments but --jdwp-port PORT: it lists the tasks parked at"
                + " Sonde.breakpoint(), then you enter the index of the one to attach to (with --jdwp-port, the one"
                + " an IDE's debugger attaches to on 127.0.0.1:PORT).");
    }
}
