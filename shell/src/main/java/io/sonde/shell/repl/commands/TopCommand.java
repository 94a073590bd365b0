package io.sonde.shell.repl.commands;

import io.sonde.cli.table.ClusterTables;

/**
 * {@code /top}: the node's memory now, as {@code sonde status --memory} shows it (its use against
 * the kill threshold, the last hour's peak, each process by RES - SHR); {@code sonde top} in
 * another terminal redraws it live.
 */
final class TopCommand implements SlashCommand {
    private static final int HOUR_S = 3600;

    @Override
    public String name() {
        return "top";
    }

    @Override
    public String help() {
        return "the node's memory: use against the kill threshold, each process by RES - SHR (`sonde top` redraws it live)";
    }

    @Override
    public boolean needsCluster() {
        return true;
    }

    @Override
    public void run(CommandContext context, String arguments) {
        ClusterTables.printMemory(context.out(), context.cluster().memory(HOUR_S));
    }
}
