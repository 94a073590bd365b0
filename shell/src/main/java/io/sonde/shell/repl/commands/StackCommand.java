package io.sonde.shell.repl.commands;

import io.sonde.cli.table.ClusterStacks;
import io.sonde.shell.repl.ClusterView;

/** {@code /stack}: every thread of every worker and driver, as {@code sonde stack} prints them. */
final class StackCommand implements SlashCommand {
    @Override
    public String name() {
        return "stack";
    }

    @Override
    public String help() {
        return "every thread of every worker and driver, task threads labelled, breakpoints marked (as `sonde stack`)";
    }

    @Override
    public boolean needsCluster() {
        return true;
    }

    @Override
    public void run(CommandContext context, String arguments) {
        if (!arguments.isBlank()) {
            throw new CommandException("/stack takes no arguments: it prints every worker's and driver's threads.");
        }
        ClusterView c = context.cluster();
        try {
            ClusterStacks.print(c.channel(), c.address(), ClusterView.DEADLINE, context.out());
        } catch (IllegalStateException e) {
            throw new CommandException(e.getMessage());
        }
    }
}
