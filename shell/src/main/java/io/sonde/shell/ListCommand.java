package io.sonde.shell;

import io.sonde.internal.proto.ActorInfo;
import io.sonde.internal.proto.Empty;
import io.sonde.internal.proto.NodeInfo;
import io.sonde.internal.proto.NodeManagerGrpc;
import io.sonde.internal.proto.TaskInfo;
import io.sonde.internal.proto.WorkerInfo;
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
 * {@code sonde list KIND}: one table per kind of thing the node manager tracks. Ids are printed
 * whole because they are what errors, logs and {@code sonde debug} refer to.
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
    AddressOption target;

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
        try (ClusterLocator.ClusterConnection c = sonde.locator().connect(target.address)) {
            table = k.table.apply(c.stub(StatusCommand.DEADLINE));
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
        Table t = new Table("TASK_ID", "NAME", "STATE", "KIND", "PID", "NODE", "ATTEMPT", "ERROR_TYPE", "JOB");
        for (TaskInfo i : stub.listTasks(Empty.getDefaultInstance()).getTasksList()) {
            t.row(i.getTaskId(), i.getName(), i.getState(), i.getKind(), Units.pid(i.getPid()), i.getNodeId(),
                    i.getAttempt(), i.getErrorType(), i.getJobId());
        }
        return t;
    }

    private static Table actors(NodeManagerGrpc.NodeManagerBlockingStub stub) {
        Table t = new Table("ACTOR_ID", "CLASS", "NAME", "STATE", "PID", "NODE", "RESTARTS", "JOB", "DEATH_CAUSE");
        for (ActorInfo i : stub.listActors(Empty.getDefaultInstance()).getActorsList()) {
            t.row(i.getActorId(), i.getClassName(), i.getName(), i.getState(), Units.pid(i.getPid()), i.getNodeId(),
                    i.getRestarts(), i.getJobId(), i.getDeathCause());
        }
        return t;
    }

    private static Table workers(NodeManagerGrpc.NodeManagerBlockingStub stub) {
        Table t = new Table("WORKER_ID", "PID", "STATE", "JOB", "CURRENT_TASK", "ACTOR", "RSS", "LOG");
        for (WorkerInfo i : stub.listWorkers(Empty.getDefaultInstance()).getWorkersList()) {
            t.row(i.getWorkerId(), Units.pid(i.getPid()), i.getState(), i.getJobId(), i.getCurrentTask(), i.getActorId(),
                    Units.bytes(i.getRssBytes()), i.getLogOut());
        }
        return t;
    }

    private static Table nodes(NodeManagerGrpc.NodeManagerBlockingStub stub) {
        Table t = new Table("NODE_ID", "IP", "ALIVE", "CPUS", "MEMORY", "WORKERS");
        for (NodeInfo n : stub.status(Empty.getDefaultInstance()).getNodesList()) {
            t.row(n.getNodeId(), n.getIp(), n.getAlive() ? "yes" : "no",
                    Units.cpus(n.getCpusUsed()) + "/" + Units.cpus(n.getCpusTotal()),
                    Units.bytes(n.getMemoryUsed()) + "/" + Units.bytes(n.getMemoryTotal()), n.getWorkers());
        }
        return t;
    }
}
