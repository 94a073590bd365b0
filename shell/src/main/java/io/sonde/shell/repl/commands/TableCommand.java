package io.sonde.shell.repl.commands;

import io.sonde.cli.table.ClusterTables;
import io.sonde.cli.table.Table;
import io.sonde.shell.repl.ClusterView;

import java.util.function.Function;

/**
 * {@code /tasks}, {@code /actors}, {@code /workers}, {@code /nodes}: the tables of
 * {@code sonde list}, drawn by the same {@link ClusterTables}. One class for the four, since
 * they differ only in which table they ask for.
 */
final class TableCommand implements SlashCommand {
    private final String name;
    private final String help;
    private final Function<ClusterView, Table> table;

    private TableCommand(String name, String help, Function<ClusterView, Table> table) {
        this.name = name;
        this.help = help;
        this.table = table;
    }

    static TableCommand tasks() {
        return new TableCommand("tasks", "the cluster's tasks: state, worker pid, attempt, error (as `sonde list tasks`)",
                c -> ClusterTables.tasks(c.tasks()));
    }

    static TableCommand actors() {
        return new TableCommand("actors", "the cluster's actors: state, pid, restarts, why they died",
                c -> ClusterTables.actors(c.actors()));
    }

    static TableCommand workers() {
        return new TableCommand("workers", "the worker processes: pid, current task, memory, log file",
                c -> ClusterTables.workers(c.workers()));
    }

    static TableCommand nodes() {
        return new TableCommand("nodes", "the cluster's nodes: CPUs and memory in use",
                c -> ClusterTables.nodes(c.status(ClusterView.DEADLINE)));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String help() {
        return help;
    }

    @Override
    public boolean needsCluster() {
        return true;
    }

    @Override
    public void run(CommandContext context, String arguments) {
        Table t = table.apply(context.cluster());
        if (t.size() == 0) {
            context.out().println("No " + name + " yet.");
        } else {
            t.print(context.out());
        }
    }
}
