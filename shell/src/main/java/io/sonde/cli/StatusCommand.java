package io.sonde.cli;

import io.sonde.cli.table.ClusterTables;
import io.sonde.proto.ClusterStatus;
import io.sonde.proto.MemoryReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code sonde status}: the one screen that says whether the cluster is healthy and busy. */
@Command(name = "status", description = "Show the cluster's nodes, CPU and memory use, workers and tasks.")
final class StatusCommand implements Callable<Integer> {
    private static final int HOUR_S = 3600;

    @Mixin
    ClusterOptions target;

    @Option(names = "--memory", description = "Show the node's memory instead: its use against its capacity and the"
            + " kill threshold, the peak of the last hour, and each process (node manager, drivers, workers) by RES - SHR.")
    boolean memory;

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
        try (ClusterLocator.ClusterConnection c = target.connect(sonde.locator())) {
            if (memory) {
                MemoryReport r = c.memory(HOUR_S, target.timeout());
                out.println("Sonde cluster at " + c.address());
                out.println();
                ClusterTables.printMemory(out, r);
                return 0;
            }
            s = c.status(target.timeout());
            address = c.address();
        }
        ClusterTables.printStatus(out, address, s);
        return 0;
    }
}
