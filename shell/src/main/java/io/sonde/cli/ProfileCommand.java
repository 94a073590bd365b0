package io.sonde.cli;

import io.sonde.cli.table.AttachRun;
import io.sonde.cli.table.ProfileOptions;
import io.sonde.cli.table.ProfileRun;
import io.sonde.cli.table.ProfileTargets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code sonde profile}: async-profiler on a worker of the cluster (or its driver), loaded in that
 * JVM by the profiler's plug-in; prints a summary and where the flame graph is.
 */
@Command(name = "profile", description = {
        "Profile a worker or the driver with async-profiler: CPU, wall clock, allocations, locks or native memory.",
        "Prints the top frames (or allocation sites) and writes a flame graph under the session dir.",
        "The pid of a local JVM that is not a Sonde worker is profiled through the JDK Attach API."})
final class ProfileCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions target;

    @Mixin
    ProfileOptions options;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @ParentCommand
    SondeMain sonde;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try {
            options.check();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Optional<Long> local = AttachRun.localProcess(options.target());
        String why;
        try (ClusterLocator.ClusterConnection c = target.connect(sonde.locator())) {
            ProfileTargets.Lists lists = c.targets(target.timeout());
            if (local.isEmpty() || lists.workers().stream().anyMatch(w -> w.getPid() == local.get()
                    && w.getState() != io.sonde.proto.WorkerInfo.State.DEAD)) {
                ProfileRun.run(c.channel(), c.address(), lists, options, spec.commandLine().getOut());
                return 0;
            }
            why = "no worker of the cluster at " + c.address() + " has that pid";
        } catch (CommandFailure noCluster) {
            if (local.isEmpty()) {
                throw noCluster;
            }
            why = "no Sonde cluster answered";
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CommandFailure(1, e.getMessage());
        }
        try {
            AttachRun.run(local.get(), why, options, spec.commandLine().getOut());
        } catch (IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
            throw new CommandFailure(1, e.getMessage());
        }
        return 0;
    }
}
