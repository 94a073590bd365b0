package io.sonde.shell.repl.commands;

import io.sonde.Sonde;
import io.sonde.proto.ActorInfo;
import io.sonde.proto.WorkerInfo;
import io.sonde.tooling.DriverClient;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code /logs <worker-id|actor-name>}: a worker's stdout and stderr files, whole up to
 * {@link #MAX_LINES} lines. The files of a worker that already exited are found in the session's
 * log folder, so the output of a crashed worker can still be read.
 */
final class LogsCommand implements SlashCommand {
    static final int MAX_LINES = 400;

    @Override
    public String name() {
        return "logs";
    }

    @Override
    public String arguments() {
        return "<worker-id|actor-name>";
    }

    @Override
    public String help() {
        return "print a worker's log files (stdout and stderr); the ids are in /workers";
    }

    @Override
    public boolean needsCluster() {
        return true;
    }

    @Override
    public List<String> complete(CommandContext context, String typed) {
        List<String> out = new ArrayList<>();
        context.cluster().workers().forEach(w -> out.add(w.getWorkerId()));
        context.cluster().actors().stream().map(ActorInfo::getName).filter(n -> !n.isEmpty()).forEach(out::add);
        return out;
    }

    @Override
    public void run(CommandContext context, String arguments) {
        if (arguments.isEmpty()) {
            throw new CommandException("Say whose logs: /logs <worker-id|actor-name>. /workers lists the workers.");
        }
        PrintWriter out = context.out();
        List<Path> files = find(context, arguments);
        if (files.isEmpty()) {
            throw new CommandException("No worker or actor named '" + arguments + "'. /workers lists the workers,"
                    + " /actors the actors.");
        }
        for (Path f : files) {
            out.println("==> " + f + " <==");
            try {
                List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                if (lines.size() > MAX_LINES) {
                    out.println("... " + (lines.size() - MAX_LINES) + " earlier lines left out");
                    lines = lines.subList(lines.size() - MAX_LINES, lines.size());
                }
                if (lines.isEmpty()) {
                    out.println("(empty)");
                }
                lines.forEach(out::println);
            } catch (IOException e) {
                out.println("cannot read it: " + e.getMessage()
                        + (context.cluster().embedded() ? "" : " (the worker may run on another machine)"));
            }
        }
    }

    private static List<Path> find(CommandContext context, String who) {
        List<WorkerInfo> workers = context.cluster().workers();
        Optional<WorkerInfo> w = workers.stream().filter(x -> x.getWorkerId().equals(who)).findFirst();
        if (w.isEmpty()) {
            List<WorkerInfo> prefixed = workers.stream().filter(x -> x.getWorkerId().startsWith(who)).toList();
            if (prefixed.size() == 1) {
                w = Optional.of(prefixed.get(0));
            }
        }
        if (w.isEmpty()) {
            Optional<String> actorId = context.cluster().actors().stream()
                    .filter(a -> a.getName().equals(who) || a.getActorId().equals(who))
                    .map(ActorInfo::getActorId).findFirst();
            if (actorId.isPresent()) {
                w = workers.stream().filter(x -> x.getActorId().equals(actorId.get())).findFirst();
            }
        }
        if (w.isPresent()) {
            return List.of(Path.of(w.get().getLogOut()), Path.of(w.get().getLogErr()));
        }
        return exited(who);
    }

    /** {@code worker-<id>-<pid>.out/.err} left in the session's log folder by a worker that is gone. */
    private static List<Path> exited(String workerId) {
        if (!Sonde.isInitialized()) {
            return List.of();
        }
        Path logs = DriverClient.current().sessionDir().resolve("logs");
        if (!Files.isDirectory(logs)) {
            return List.of();
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(logs, "worker-" + workerId + "*")) {
            dir.forEach(found::add);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        return Stream.of(".out", ".err").flatMap(ext -> found.stream().filter(p -> p.toString().endsWith(ext)))
                .sorted().toList();
    }
}
