package io.sonde.shell;

import io.sonde.internal.proto.ClusterStatus;
import io.sonde.internal.proto.NodeInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code sonde status}: the one screen that says whether the cluster is healthy and busy. */
@Command(name = "status", description = "Show the cluster's nodes, CPU and memory use, workers and tasks.")
final class StatusCommand implements Callable<Integer> {
    static final Duration DEADLINE = Duration.ofSeconds(10);

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
        PrintWriter out = spec.commandLine().getOut();
        ClusterStatus s;
        String address;
        try (ClusterLocator.ClusterConnection c = sonde.locator().connect(target.address)) {
            s = c.status(DEADLINE);
            address = c.address();
        }
        double cpusUsed = 0;
        double cpusTotal = 0;
        long memUsed = 0;
        long memTotal = 0;
        int workers = 0;
        Table nodes = new Table("NODE_ID", "IP", "ALIVE");
        for (NodeInfo n : s.getNodesList()) {
            nodes.row(n.getNodeId(), n.getIp(), n.getAlive() ? "yes" : "no");
            if (n.getAlive()) {
                cpusUsed += n.getCpusUsed();
                cpusTotal += n.getCpusTotal();
                memUsed += n.getMemoryUsed();
                memTotal += n.getMemoryTotal();
                workers += n.getWorkers();
            }
        }
        out.println("Sonde cluster at " + address);
        out.println();
        out.println("Nodes");
        nodes.print(out, "  ");
        out.println();
        out.println("Resources (alive nodes)");
        out.println("  CPUs     " + Units.cpus(cpusUsed) + "/" + Units.cpus(cpusTotal));
        out.println("  Memory   " + Units.bytes(memUsed) + "/" + Units.bytes(memTotal)
                + "   (resident memory of the node and its workers / machine total)");
        out.println("  Workers  " + workers);
        out.println();
        out.println("Tasks");
        out.println("  running  " + s.getRunningTasks());
        out.println("  pending  " + s.getPendingTasks());
        out.flush();
        return 0;
    }
}
