package io.sonde.shell.repl.commands;

import io.sonde.cli.table.ClusterTables;
import io.sonde.shell.repl.ClusterView;

/** {@code /status}: the screen of {@code sonde status}, for the cluster this shell uses. */
final class StatusCommand implements SlashCommand {
    @Override
    public String name() {
        return "status";
    }

    @Override
    public String help() {
        return "the cluster's nodes, CPU and memory use, workers and tasks (as `sonde status`)";
    }

    @Override
    public boolean needsCluster() {
        return true;
    }

    @Override
    public void run(CommandContext context, String arguments) {
        ClusterView c = context.cluster();
        ClusterTables.printStatus(context.out(), c.address(), c.status(ClusterView.DEADLINE));
    }
}
