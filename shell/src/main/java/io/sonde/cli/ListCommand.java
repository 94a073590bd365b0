package io.sonde.cli;

import io.sonde.cli.table.ClusterTables;
import io.sonde.cli.table.Table;
import io.sonde.proto.Empty;
import io.sonde.proto.NodeManagerGrpc;
import io.sonde.proto.TaskList;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code sonde list KIND}: one table per kind of thing the node manager tracks, drawn by
 * {@link ClusterTables} as the shell's {@code /tasks}, {@code /actors}... draw them. Tasks come
 * newest first, at most {@code --limit} of them, filtered by {@code --filter} ({@link TaskQuery});
 * a table that does not show everything says so.
 */
@Command(name = "list", description = "List the cluster's tasks, actors, workers or nodes as a table.")
final class ListCommand implements Callable<Integer> {
    /** As {@code ray list}: a screenful, not the node's whole history. */
    static final int DEFAULT_LIMIT = 100;
    /** How many finished tasks a node keeps listed (the bound of its task table). */
    private static final int MAX_FINISHED_KEPT = 10_000;

    /** The kinds, in the order help and errors name them. */
    enum Kind {
        TASKS(ListCommand::tasks), ACTORS(ListCommand::actors), WORKERS(ListCommand::workers), NODES(ListCommand::nodes);

        final Function<NodeManagerGrpc.NodeManagerBlockingStub, Table> table;

        Kind(Function<NodeManagerGrpc.NodeManagerBlockingStub, Table> table) {
            this.table = table;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        static String labels() {
            return String.join(", ", List.of(values()).stream().map(Kind::label).toList());
        }
    }

    @Parameters(index = "0", paramLabel = "KIND", description = "What to list: tasks, actors, workers or nodes.")
    String kind;

    @Mixin
    ClusterOptions target;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "" + DEFAULT_LIMIT,
            description = "Tasks: show at most N, newest first (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--filter", paramLabel = "KEY=VALUE",
            description = "Tasks: show only those whose KEY is VALUE; KEY is one of " + TaskQuery.KEYS
                    + ". Repeat to require several, e.g. --filter state=RUNNING --filter name=f.")
    List<String> filters = new ArrayList<>();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @ParentCommand
    SondeMain sonde;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Kind k = parse(kind);
        PrintWriter out = spec.commandLine().getOut();
        if (k == Kind.TASKS) {
            return listTasks(out);
        }
        if (!filters.isEmpty() || spec.commandLine().getParseResult().hasMatchedOption("--limit")) {
            throw new ParameterException(spec.commandLine(), "--limit and --filter apply to `sonde list tasks` only.");
        }
        Table table;
        try (ClusterLocator.ClusterConnection c = target.connect(sonde.locator())) {
            table = k.table.apply(c.stub(target.timeout()));
        }
        if (table.size() == 0) {
            out.println("No " + k.label() + ".");
        } else {
            table.print(out);
        }
        out.flush();
        return 0;
    }

    /** The tasks, newest first, as the query selects them, and what the table leaves out. */
    private int listTasks(PrintWriter out) {
        TaskQuery query;
        try {
            query = new TaskQuery(limit, filters.stream().map(TaskQuery.Filter::parse).toList());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        TaskList all;
        try (ClusterLocator.ClusterConnection c = target.connect(sonde.locator())) {
            all = c.stub(target.timeout()).listTasks(Empty.getDefaultInstance());
        }
        TaskQuery.Page page = query.apply(all.getTasksList());
        String which = filters.isEmpty() ? "tasks" : "tasks matching " + String.join(", ", filters);
        if (page.matched() == 0) {
            out.println("No " + which + ".");
        } else {
            ClusterTables.tasks(page.shown()).print(out);
            if (page.truncated()) {
                out.println("Showing " + page.shown().size() + " of " + page.matched() + " " + which
                        + ", newest first; --limit N shows more.");
            }
        }
        if (all.getForgotten() > 0) {
            out.println(all.getForgotten() + " older finished tasks are not listed: the node keeps the last "
                    + MAX_FINISHED_KEPT + ".");
        }
        out.flush();
        return 0;
    }

    private Kind parse(String text) {
        for (Kind k : Kind.values()) {
            if (k.label().equalsIgnoreCase(text) || k.label().equalsIgnoreCase(text + "s")) {
                return k;
            }
        }
        throw new ParameterException(spec.commandLine(),
                "Unknown kind '" + text + "': `sonde list` shows one of " + Kind.labels() + ".");
    }

    private static Table tasks(NodeManagerGrpc.NodeManagerBlockingStub stub) {
        return ClusterTables.tasks(stub.listTasks(Empty.getDefaultInstance()).getTasksList());
    }
    private static Table actors(NodeManagerGrpc.NodeManagerBlockingStub stub) {
        return ClusterTables.actors(stub.listActors(Empty.getDefaultInstance()).getActorsList());
    }

    private static Table workers(NodeManagerGrpc.NodeManagerBlockingStub stub) {
        return ClusterTables.workers(stub.listWorkers(Empty.getDefaultInstance()).getWorkersList());
    }

    private static Table nodes(NodeManagerGrpc.NodeManagerBlockingStub stub) {
        return ClusterTables.nodes(stub.status(Empty.getDefaultInstance()));
    }
}
