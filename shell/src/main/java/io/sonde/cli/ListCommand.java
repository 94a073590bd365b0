package io.sonde.cli;

import io.sonde.cli.table.ClusterTables;
import io.sonde.cli.table.Table;
import io.sonde.proto.Empty;
import io.sonde.proto.NodeManagerGrpc;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code sonde list KIND}: one table per kind of thing the node manager tracks, drawn by
 * {@link ClusterTables} as the shell's {@code /tasks}, {@code /actors}... draw them.
 */
@Command(name = "list", description = "List the cluster's tasks, actors, workers or nodes as a table.")
final class ListCommand implements Callable<Integer> {
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
