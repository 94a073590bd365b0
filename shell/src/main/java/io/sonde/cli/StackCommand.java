package io.sonde.cli;

import io.sonde.cli.table.ClusterStacks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code sonde stack}: every thread of every worker of the cluster's node, and of its drivers, as {@code ray stack}. */
@Command(name = "stack", description = {"Print the stack of every thread of every worker, and of the drivers: each task"
        + " thread labelled with its task or actor task and task id, threads parked at a breakpoint marked."})
final class StackCommand implements Callable<Integer> {
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
        try (ClusterLocator.ClusterConnection c = target.connect(sonde.locator())) {
            ClusterStacks.print(c.channel(), c.address(), target.timeout(), spec.commandLine().getOut());
        } catch (IllegalStateException e) {
            throw new CommandFailure(1, e.getMessage());
        }
        return 0;
    }
}
