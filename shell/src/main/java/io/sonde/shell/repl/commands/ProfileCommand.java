package io.sonde.shell.repl.commands;

import io.sonde.cli.table.ProfileOptions;
import io.sonde.cli.table.ProfileRun;
import io.sonde.cli.table.ProfileTargets;
import io.sonde.shell.repl.ClusterView;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code /profile}: async-profiler on a worker of the shell's cluster, or on the shell itself
 * ({@code driver}), with the options of {@code sonde profile} and the same output.
 */
final class ProfileCommand implements SlashCommand {
    @Override
    public String name() {
        return "profile";
    }

    @Override
    public String arguments() {
        return "<worker-id|pid|actor-name|task-id|driver> --event EVENT [...]";
    }

    @Override
    public String help() {
        return "profile with async-profiler; EVENT: cpu, wall, alloc, lock, nativemem; options: --live --duration"
                + " --interval --format -o (as `sonde profile`)";
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
            case "--event" -> List.of("cpu", "wall", "alloc", "lock", "nativemem");
            case "--format" -> List.of("html", "collapsed", "flat", "jfr");
            case "--duration" -> List.of("1s", "10s", "30s");
            default -> {
                if (words.length <= 1) {
                    List<String> targets = new ArrayList<>(List.of("driver"));
                    context.cluster().workers().forEach(w -> targets.add(w.getWorkerId()));
                    yield targets;
                }
                yield List.of("--event", "--live", "--duration", "--interval", "--format", "-o");
            }
        };
    }

    @Override
    public void run(CommandContext context, String arguments) {
        ProfileOptions options;
        try {
            options = ProfileOptions.parse(arguments);
        } catch (IllegalArgumentException e) {
            throw new CommandException("/profile: " + e.getMessage());
        }
        ClusterView c = context.cluster();
        try {
            ProfileRun.run(c.channel(), c.address(), ProfileTargets.Lists.of(c::workers, c::actors, c::tasks), options,
                    context.out());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CommandException(e.getMessage());
        }
    }
}
