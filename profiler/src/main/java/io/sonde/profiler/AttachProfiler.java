package io.sonde.profiler;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * async-profiler in a local JVM that is not one of Sonde's workers, loaded through the JDK Attach
 * API ({@code VirtualMachine.loadAgentPath}): the fallback of {@code sonde profile <pid>} for a JVM
 * whose profiler plug-in does not serve it. Each step is one load of the agent with one
 * async-profiler command, as its {@code asprof} does:
 *
 * <pre>
 *   start,event=E[,interval][,live] ─▶ ... duration ... ─▶ stop ─▶ collapsed (summary), flamegraph | collapsed | jfr (file)
 * </pre>
 *
 * The process writes the files itself, so they go to a directory it can write: the output's, or
 * this machine's temporary directory. Stateless; one profile per call.
 */
public final class AttachProfiler {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private AttachProfiler() {
    }

    /**
     * What to record.
     *
     * @param interval as async-profiler takes it; empty for its default
     * @param output   where the flame graph (or collapsed stacks, or JFR) goes; null for a file of its own
     */
    public record Spec(long pid, ProfileEvent event, boolean live, Duration duration, String interval,
                       ProfileFormat format, Path output) {
    }

    /**
     * What the profile gave.
     *
     * @param engine  the event async-profiler recorded ({@code ctimer} when perf events are not allowed)
     * @param note    why cpu is not perf events; empty when it is
     * @param summary the same summary as a worker's profile
     * @param path    the output file; null for {@code flat}
     */
    public record Result(String engine, String note, String summary, Path path) {
    }

    /**
     * Whether the process is a JVM of this machine that the Attach API may reach: one the JDK lists
     * (its performance data is visible to this user), or one whose command is {@code java}.
     */
    public static boolean isJvm(long pid) {
        String id = Long.toString(pid);
        if (VirtualMachine.list().stream().anyMatch(d -> d.id().equals(id))) {
            return true;
        }
        return ProcessHandle.of(pid).flatMap(p -> p.info().command()).map(c -> Path.of(c).getFileName().toString())
                .filter(name -> name.equals("java")).isPresent();
    }

    /**
     * Profiles the JVM of {@code spec.pid()}; {@code started} hears the engine and its note once it runs.
     *
     * @throws IllegalStateException the JVM cannot be attached to, or async-profiler cannot run in it; the message
     *                               says why and what to do
     */
    public static Result profile(Spec spec, Consumer<Result> started) throws InterruptedException {
        spec.event().checkLive(spec.live());
        if (!spec.interval().isEmpty()) {
            spec.event().checkInterval(spec.interval());
        }
        Path library = library();
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(Long.toString(spec.pid()));
        } catch (AttachNotSupportedException | IOException e) {
            throw new IllegalStateException("Cannot attach to pid " + spec.pid() + " with the JDK Attach API: "
                    + e.getMessage() + ". The JVM must run as the same user as this command, and without"
                    + " -XX:+DisableAttachMechanism; a JVM in another container cannot be attached to from here.", e);
        }
        Path work;
        try {
            work = Files.createTempDirectory("sonde-profile-" + spec.pid() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the profile's files: " + e.getMessage(), e);
        }
        try {
            StringBuilder options = new StringBuilder();
            if (!spec.interval().isEmpty()) {
                options.append(",interval=").append(spec.interval());
            }
            if (spec.live()) {
                options.append(",live");
            }
            Path output = spec.format() == ProfileFormat.FLAT ? null : spec.output() != null
                    ? spec.output().toAbsolutePath() : Path.of(System.getProperty("java.io.tmpdir")).resolve("pid-"
                    + spec.pid() + "-" + spec.event().id() + (spec.live() ? "-live" : "") + "-"
                    + LocalDateTime.now().format(STAMP) + "." + spec.format().extension());
            if (spec.format() == ProfileFormat.JFR) {
                options.append(",jfr,file=").append(output);
            }
            String engine;
            String note = "";
            if (spec.event() == ProfileEvent.CPU) {
                CpuEngine.Started s = CpuEngine.start(e -> run(vm, library, work, "start,event=" + e + options));
                engine = s.event();
                note = s.note();
            } else {
                try {
                    run(vm, library, work, "start,event=" + spec.event().id() + options);
                } catch (Exception e) {
                    throw new IllegalStateException("async-profiler cannot record " + spec.event().id() + " in pid "
                            + spec.pid() + ": " + e.getMessage(), e);
                }
                engine = spec.event().id();
            }
            started.accept(new Result(engine, note, "", output));
            try {
                Thread.sleep(spec.duration().toMillis());
            } finally {
                run(vm, library, work, "stop");
            }
            String summary;
            if (spec.format() == ProfileFormat.JFR) {
                summary = "A JFR recording: open it in JDK Mission Control, or read it with `jfr print --events"
                        + " jdk.ExecutionSample` (cpu, wall) or `jfr summary`.\n";
            } else {
                String counted = spec.event().memory() ? "total," : "";
                if (spec.format() == ProfileFormat.HTML) {
                    run(vm, library, work, "flamegraph," + counted + "dot,file=" + output);
                } else if (spec.format() == ProfileFormat.COLLAPSED) {
                    run(vm, library, work, "collapsed," + counted + "dot,file=" + output);
                }
                String event = engine + (spec.live() ? ", live" : "");
                String samples = dump(vm, library, work, "collapsed,dot");
                summary = spec.event().memory()
                        ? ProfileSummary.sites(event, samples, dump(vm, library, work, "collapsed,total,dot"))
                        : ProfileSummary.frames(event, samples);
            }
            return new Result(engine, note, summary, output);
        } catch (IOException e) {
            throw new UncheckedIOException("the profile of pid " + spec.pid() + " failed: " + e.getMessage(), e);
        } finally {
            try {
                vm.detach();
            } catch (IOException ignored) {
                // the process may have exited; nothing is left to undo
            }
            deleteAll(work);
        }
    }

    /** One async-profiler command in the process; its log says why one fails. */
    private static void run(VirtualMachine vm, Path library, Path work, String command) throws IOException {
        Path log = work.resolve("log-" + System.nanoTime());
        try {
            vm.loadAgentPath(library.toString(), command + ",log=" + log);
        } catch (AgentLoadException | AgentInitializationException e) {
            String said = Files.exists(log) ? Files.readString(log).strip() : "";
            throw new IllegalStateException(said.isEmpty() ? e.getMessage() : said.replaceAll("^\\[ERROR] ", ""), e);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** An output's text, written by the process to a file of the work directory. */
    private static String dump(VirtualMachine vm, Path library, Path work, String command) throws IOException {
        Path file = work.resolve("out-" + System.nanoTime() + ".txt");
        run(vm, library, work, command + ",file=" + file);
        return Files.readString(file);
    }

    /**
     * async-profiler's native library for this machine, from the jar on this command's class path,
     * at one path per version, so that a JVM profiled twice loads the same library.
     */
    static Path library() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        String platform = os.contains("mac") ? "macos" : os.contains("linux")
                ? (arch.equals("aarch64") || arch.equals("arm64") ? "linux-arm64" : "linux-x64") : null;
        if (platform == null) {
            throw new IllegalStateException("async-profiler runs on Linux and macOS only, not on " + os);
        }
        try (InputStream in = AttachProfiler.class.getClassLoader().getResourceAsStream(platform + "/libasyncProfiler.so")) {
            if (in == null) {
                throw new IllegalStateException("async-profiler's native library for " + platform + " is not on this"
                        + " command's class path (the async-profiler jar is missing)");
            }
            byte[] bytes = in.readAllBytes();
            Path dir = Path.of(System.getProperty("java.io.tmpdir")).resolve("sonde-async-profiler-"
                    + System.getProperty("user.name") + "-" + Integer.toHexString(java.util.Arrays.hashCode(bytes)));
            Path lib = dir.resolve("libasyncProfiler.so");
            if (Files.isRegularFile(lib) && Files.size(lib) == bytes.length) {
                return lib;
            }
            Files.createDirectories(dir);
            Path part = Files.createTempFile(dir, "libasyncProfiler", ".part");
            Files.write(part, bytes);
            Files.move(part, lib, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return lib;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract async-profiler's native library: " + e.getMessage(), e);
        }
    }

    private static void deleteAll(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind says what it is
        }
    }
}
