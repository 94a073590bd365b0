package io.sonde.cli.table;

import io.sonde.profiler.AttachProfiler;
import io.sonde.profiler.ProfileFormat;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code sonde profile <pid>} of a local JVM that is not a worker of the cluster: async-profiler
 * loaded into it through the JDK Attach API ({@link AttachProfiler}), printed as a worker's profile
 * is, and saying that it used the Attach API.
 */
public final class AttachRun {
    private AttachRun() {
    }

    /** The pid the word names, when it is a live JVM of this machine other than this one. */
    public static Optional<Long> localProcess(String word) {
        String w = word.trim();
        if (!w.matches("\\d{1,10}")) {
            return Optional.empty();
        }
        long pid = Long.parseLong(w);
        return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                && AttachProfiler.isJvm(pid) ? Optional.of(pid) : Optional.empty();
    }

    /**
     * @param why why the Attach API: what Sonde knows of the pid ("it is not a worker of the cluster at ...")
     * @throws IllegalStateException the JVM cannot be attached to, or the profile failed; the message says why
     */
    public static void run(long pid, String why, ProfileOptions o, PrintWriter out) {
        Duration duration = o.durationValue();
        String command = ProcessHandle.of(pid).flatMap(p -> p.info().command()).orElse("?");
        AttachProfiler.Result r;
        try {
            r = AttachProfiler.profile(new AttachProfiler.Spec(pid, o.event(), o.live(), duration, o.interval(), o.format(),
                    o.output()), s -> {
                out.println("Profiling pid " + pid + " (" + command + ") for " + ProfileRun.human(duration) + ": "
                        + s.engine() + (o.live() ? ", live" : "") + (o.interval().isEmpty() ? "" : ", interval "
                        + o.interval()) + "...");
                out.println("It is not a Sonde worker (" + why + "): async-profiler is loaded into it through the JDK"
                        + " Attach API.");
                if (!s.note().isEmpty()) {
                    out.println(s.note());
                }
                out.flush();
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("The profile of pid " + pid + " was interrupted.", e);
        }
        r.summary().lines().forEach(out::println);
        if (r.path() != null) {
            String what = switch (o.format()) {
                case HTML -> "Flame graph";
                case COLLAPSED -> "Collapsed stacks";
                case JFR -> "JFR recording";
                case FLAT -> "";
            };
            out.println(what + ": " + r.path());
        }
        if (o.output() != null && o.format() != ProfileFormat.FLAT) {
            out.println("Written to " + o.output().toAbsolutePath());
        }
        out.flush();
    }
}
