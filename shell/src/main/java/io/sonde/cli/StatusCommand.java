package io.sonde.cli;

import io.sonde.cli.table.ClusterTables;
import io.sonde.proto.ClusterStatus;
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
        PrintWriter out = spec.commandLine().getOut();
        ClusterStatus s;
        String address;
        try (ClusterLocator.ClusterConnection c = target.connect(sonde.locator())) {
            s = c.status(target.timeout());
            address = c.address();
        }
        ClusterTables.printStatus(out, address, s);
        return 0;
    }
}
