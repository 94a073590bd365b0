package io.sonde.cli.table;

import io.sonde.profiler.ProfileEvent;
import io.sonde.profiler.ProfileFormat;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The options of {@code sonde profile} and the shell's {@code /profile}, parsed in one place: the
 * verb mixes this class in ({@code @Mixin}), the shell hands its argument text to {@link #parse},
 * so the two take the same words and say the same things about wrong ones.
 */
public final class ProfileOptions {
    /** What the shell's {@code /help} shows after {@code /profile}. */
    public static final String SYNOPSIS = "<worker-id|pid|actor-name|task-id|driver> --event cpu|wall|alloc|lock|nativemem"
            + " [--live] [--duration 10s] [--interval ...] [--format html|collapsed|flat|jfr] [-o FILE]";
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)?");

    @Parameters(index = "0", paramLabel = "<worker-id|pid|actor-name|task-id|driver>",
            description = "What to profile: a worker (its id or pid, as `sonde list workers` shows them), the worker of a"
                    + " named actor, the worker that runs a task, or `driver`: the program that runs the job.")
    String target;

    @Option(names = "--event", required = true, paramLabel = "cpu|wall|alloc|lock|nativemem",
            description = {"What to record: cpu (CPU time; ctimer or itimer where perf events are not allowed), wall (all"
                    + " threads, running or not), alloc (Java heap allocations), lock (contended locks), nativemem"
                    + " (malloc and friends)."})
    String event;

    @Option(names = "--live", description = "alloc, nativemem: keep only the allocations still alive at the end (leaks).")
    boolean live;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "10s",
            description = "How long to record: a number with ms, s or m. Default: ${DEFAULT-VALUE}.")
    String duration;

    @Option(names = "--interval", paramLabel = "N",
            description = "Sampling interval: a time for cpu, wall and lock (10ms, 100us), bytes for alloc and nativemem"
                    + " (512k). Default: async-profiler's.")
    String interval;

    @Option(names = "--format", paramLabel = "html|collapsed|flat|jfr", defaultValue = "html",
            description = "The output beside the summary: an HTML flame graph, collapsed stacks, none (flat: the summary"
                    + " only), or a JFR recording. Written under the session dir. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Also write the output to FILE, here.")
    Path output;

    /**
     * The options in {@code arguments} (the shell's text after {@code /profile}).
     *
     * @throws IllegalArgumentException they are not {@code sonde profile}'s options; the message says
     *                                  which word is wrong and what is taken
     */
    public static ProfileOptions parse(String arguments) {
        ProfileOptions o = new ProfileOptions();
        String[] words = arguments == null || arguments.isBlank() ? new String[0] : arguments.strip().split("\\s+");
        try {
            new CommandLine(o).parseArgs(words);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage() + ". Usage: /profile " + SYNOPSIS, e);
        }
        o.check();
        return o;
    }

    /**
     * @throws IllegalArgumentException an option's value is wrong; the message names it and the fix
     */
    public ProfileOptions check() {
        ProfileEvent e = event();
        format();
        e.checkLive(live);
        if (interval != null) {
            e.checkInterval(interval);
        }
        durationValue();
        if (output != null && format() == ProfileFormat.FLAT) {
            throw new IllegalArgumentException("-o writes the profile's file, and --format flat writes none: give"
                    + " --format html, collapsed or jfr with -o, or leave -o out.");
        }
        return this;
    }

    public String target() {
        return target;
    }

    public ProfileEvent event() {
        return ProfileEvent.parse(event);
    }

    public ProfileFormat format() {
        return ProfileFormat.parse(format);
    }

    public boolean live() {
        return live;
    }

    public String interval() {
        return interval == null ? "" : interval;
    }

    /** Where {@code -o} writes, or null. */
    public Path output() {
        return output;
    }

    public Duration durationValue() {
        Matcher m = DURATION.matcher(duration.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("--duration " + duration + " is not a duration: give a number with ms, s"
                    + " or m, e.g. 10s.");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
        if (d.compareTo(Duration.ofMillis(100)) < 0 || d.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("--duration " + duration + " is out of range: give 100ms to 60m.");
        }
        return d;
    }
}
