package io.sonde.cli.table;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.sonde.profiler.ProfileFormat;
import io.sonde.profiler.proto.ProfileReply;
import io.sonde.profiler.proto.ProfileRequest;
import io.sonde.profiler.proto.ProfileResult;
import io.sonde.profiler.proto.ProfileStarted;
import io.sonde.profiler.proto.ProfilerGrpc;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * One {@code sonde profile} (or {@code /profile}): finds the process, asks the node's profiler to
 * profile it, and prints what happens as it happens:
 * <pre>
 *   Profiling worker 3f2a (pid 4711, actor Cache) for 10s: cpu...
 *   [why cpu fell back to ctimer]
 *   Top frames (cpu, 1,000 samples): ...
 *   Flame graph: SESSION/profiles/worker-3f2a-cpu-20261203-101500.html
 * </pre>
 */
public final class ProfileRun {
    /** Beyond the profile's duration: time to start it, and to write and send its output. */
    static final Duration SLACK = Duration.ofSeconds(30);

    private ProfileRun() {
    }

    /**
     * @throws IllegalArgumentException the target names no process of the cluster
     * @throws IllegalStateException    the profile could not run or ended without its result; the message says why
     */
    public static void run(Channel channel, String address, ProfileTargets.Lists lists, ProfileOptions o,
                           PrintWriter out) {
        ProfileTargets.Found found = ProfileTargets.find(o.target(), address, lists);
        Duration duration = o.durationValue();
        ProfileRequest request = ProfileRequest.newBuilder().setTarget(found.target()).setEvent(o.event().id())
                .setLive(o.live()).setDurationMs(duration.toMillis()).setInterval(o.interval())
                .setFormat(o.format().id()).setSendOutput(o.output() != null).build();
        Iterator<ProfileReply> replies = ProfilerGrpc.newBlockingStub(channel)
                .withDeadlineAfter(duration.plus(SLACK).toMillis(), TimeUnit.MILLISECONDS).profile(request);
        Path part = null;
        OutputStream file = null;
        try {
            while (replies.hasNext()) {
                ProfileReply r = replies.next();
                switch (r.getBodyCase()) {
                    case STARTED -> started(out, found, r.getStarted(), o, duration);
                    case CHUNK -> {
                        if (file == null) {
                            part = partFile(o.output());
                            file = Files.newOutputStream(part);
                        }
                        r.getChunk().writeTo(file);
                    }
                    case RESULT -> {
                        if (file != null) {
                            file.close();
                            file = null;
                            Files.move(part, o.output().toAbsolutePath(), StandardCopyOption.REPLACE_EXISTING);
                            part = null;
                        }
                        result(out, r.getResult(), o);
                    }
                    default -> {
                    }
                }
            }
        } catch (StatusRuntimeException e) {
            throw new IllegalStateException(failure(found, e), e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + o.output() + ": " + e.getMessage(), e);
        } finally {
            if (file != null) {
                try {
                    file.close();
                } catch (IOException ignored) {
                    // the failure above is what to report
                }
            }
            if (part != null) {
                try {
                    Files.deleteIfExists(part);
                } catch (IOException ignored) {
                    // a leftover .part file says what it is
                }
            }
        }
    }

    private static Path partFile(Path output) throws IOException {
        Path target = output.toAbsolutePath();
        Path dir = target.getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new IOException("its directory " + dir + " does not exist");
        }
        return target.resolveSibling(target.getFileName() + ".part");
    }

    private static void started(PrintWriter out, ProfileTargets.Found found, ProfileStarted s, ProfileOptions o,
                                Duration duration) {
        String who = found.target().getDriver() ? "the driver (pid " + s.getPid() + ")" : found.description();
        out.println("Profiling " + who + " for " + human(duration) + ": " + s.getEngine() + (o.live() ? ", live" : "")
                + (o.interval().isEmpty() ? "" : ", interval " + o.interval()) + "...");
        if (!s.getNote().isEmpty()) {
            out.println(s.getNote());
        }
        out.flush();
    }

    private static void result(PrintWriter out, ProfileResult r, ProfileOptions o) {
        r.getSummary().lines().forEach(out::println); // line by line: the shell prefixes each
        if (!r.getPath().isEmpty()) {
            String what = switch (o.format()) {
                case HTML -> "Flame graph";
                case COLLAPSED -> "Collapsed stacks";
                case JFR -> "JFR recording";
                case FLAT -> "";
            };
            out.println(what + ": " + r.getPath());
        }
        if (o.output() != null && o.format() != ProfileFormat.FLAT) {
            out.println("Written to " + o.output().toAbsolutePath());
        }
        out.flush();
    }

    private static String failure(ProfileTargets.Found found, StatusRuntimeException e) {
        Status s = e.getStatus();
        return switch (s.getCode()) {
            case UNIMPLEMENTED -> "The node runs without the profiler: sonde-profiler is not on its classpath. Start it"
                    + " with `sonde start` or `sonde run`, which put it there.";
            case DEADLINE_EXCEEDED -> "The profile of " + found.description() + " did not end in time: the node or the"
                    + " process stopped answering. Check it with `sonde status`.";
            case UNAVAILABLE -> s.getDescription() != null && !s.getDescription().startsWith("io exception")
                    ? s.getDescription() : "The node stopped answering during the profile of " + found.description()
                    + ". Check it with `sonde status`.";
            default -> s.getDescription() == null ? s.getCode().toString() : s.getDescription();
        };
    }

    static String human(Duration d) {
        return d.toMillis() % 1000 != 0 ? d.toMillis() + "ms" : d.toSeconds() % 60 != 0 || d.toSeconds() < 60
                ? d.toSeconds() + "s" : d.toMinutes() + "m";
    }
}
