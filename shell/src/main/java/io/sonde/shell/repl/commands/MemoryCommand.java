package io.sonde.shell.repl.commands;

import io.sonde.cli.table.HeapRun;
import io.sonde.cli.table.LeakList;
import io.sonde.cli.table.MemoryByName;
import io.sonde.cli.table.MemoryOptions;
import io.sonde.cli.table.ProfileTargets;
import io.sonde.cli.table.ObjectTables;
import io.sonde.shell.repl.ClusterView;

import java.util.List;

/**
 * {@code /memory}: every object the node keeps, who holds it and why, and the object store's
 * figures, with the options of {@code sonde memory} and drawn by the same {@link ObjectTables}.
 */
final class MemoryCommand implements SlashCommand {
    @Override
    public String name() {
        return "memory";
    }

    @Override
    public String arguments() {
        return MemoryOptions.SYNOPSIS;
    }

    @Override
    public String help() {
        return "every object the node keeps: size, holder, why it is kept, call site; the object store (as `sonde memory`);"
                + " --heap <worker> [--heap-dump FILE]: its class histogram, or an HPROF dump;"
                + " --by-name: the workers' memory by the function or actor class they run;"
                + " --leaks: the workers suspected of leaking memory, and their reports";
    }

    @Override
    public boolean needsCluster() {
        return true;
    }

    @Override
    public List<String> complete(CommandContext context, String typed) {
        String[] words = typed.split("\\s+", -1);
        String before = words.length > 1 ? words[words.length - 2] : "";
        return switch (before) {
            case "--group-by" -> List.of("node", "stack");
            case "--sort-by" -> List.of("size", "id");
            default -> List.of("--group-by", "--sort-by", "--stats-only", "--limit", "--heap", "--heap-dump", "--by-name",
                    "--leaks");
        };
    }

    @Override
    public void run(CommandContext context, String arguments) {
        MemoryOptions options;
        try {
            options = MemoryOptions.parse(arguments);
        } catch (IllegalArgumentException e) {
            throw new CommandException("/memory: " + e.getMessage());
        }
        ClusterView c = context.cluster();
        if (options.heap() != null) {
            try {
                HeapRun.run(c.channel(), c.address(), ProfileTargets.Lists.of(c::workers, c::actors, c::tasks),
                        options.heap(), options.heapDump(), ClusterView.DEADLINE, context.out());
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new CommandException(e.getMessage());
            }
            return;
        }
        if (options.leaks()) {
            try {
                LeakList.run(c.channel(), c.address(), ClusterView.DEADLINE, context.out());
            } catch (IllegalStateException e) {
                throw new CommandException(e.getMessage());
            }
            return;
        }
        if (options.byName()) {
            try {
                MemoryByName.run(c.channel(), c.address(), () -> c.memory(0), ProfileTargets.Lists.of(c::workers,
                        c::actors, c::tasks), ClusterView.DEADLINE, context.out());
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new CommandException(e.getMessage());
            }
            return;
        }
        ObjectTables.print(context.out(), c.address(), c.objects(), options);
    }
}
