package io.sonde.cli;

import io.sonde.cli.table.HeapRun;
import io.sonde.cli.table.LeakList;
import io.sonde.cli.table.MemoryByName;
import io.sonde.cli.table.MemoryOptions;
import io.sonde.cli.table.ObjectTables;
import io.sonde.cli.table.ProfileTargets;
import io.sonde.proto.ObjectList;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code sonde memory}: every object the node keeps, as {@code ray memory} lists them: who holds
 * each (the owner's pid, driver or worker), why it is kept (its owner's ref, or a task that takes
 * it as an argument), how large it is and where its value is, drawn by {@link ObjectTables} as the
 * shell's {@code /memory} draws it. With {@code --heap <worker>}, instead: the worker's class
 * histogram, or with {@code --heap-dump FILE} an HPROF dump of its heap ({@link HeapRun}). With
 * {@code --leaks}: the workers the node suspected of leaking memory, with their reports ({@link LeakList}).
 */
@Command(name = "memory", description = "List every object the node keeps: its size, who holds it and why, where its"
        + " value is and where it was created; then the object store's figures. With --heap: a worker's class histogram,"
        + " or a dump of its heap. With --by-name: the workers' memory by the function or actor class they run. With"
        + " --leaks: the workers suspected of leaking memory, and their reports.")
final class MemoryCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions target;

    @Mixin
    MemoryOptions options;

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
        if (options.leaks()) {
            return leaks();
        }
        if (options.heap() != null) {
            return heap();
        }
        if (options.byName()) {
            return byName();
        }
        ObjectList objects;
        String address;
        try (ClusterLocator.ClusterConnection c = target.connect(sonde.locator())) {
            objects = c.objects(target.timeout());
            address = c.address();
        }
        ObjectTables.print(spec.commandLine().getOut(), address, objects, options);
        return 0;
    }

    private int byName() {
        try (ClusterLocator.ClusterConnection c = target.connect(sonde.locator())) {
            MemoryByName.run(c.channel(), c.address(), () -> c.memory(0, target.timeout()), c.targets(target.timeout()),
                    target.timeout(), spec.commandLine().getOut());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CommandFailure(1, e.getMessage());
        }
        return 0;
    }

    private int leaks() {
        try (ClusterLocator.ClusterConnection c = target.connect(sonde.locator())) {
            LeakList.run(c.channel(), c.address(), target.timeout(), spec.commandLine().getOut());
        } catch (IllegalStateException e) {
            throw new CommandFailure(1, e.getMessage());
        }
        return 0;
    }

    private int heap() {
        try (ClusterLocator.ClusterConnection c = target.connect(sonde.locator())) {
            ProfileTargets.Lists lists = c.targets(target.timeout());
            HeapRun.run(c.channel(), c.address(), lists, options.heap(), options.heapDump(), target.timeout(),
                    spec.commandLine().getOut());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CommandFailure(1, e.getMessage());
        }
        return 0;
    }
}
