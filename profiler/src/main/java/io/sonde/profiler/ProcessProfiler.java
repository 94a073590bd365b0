package io.sonde.profiler;

import com.google.protobuf.ByteString;
import io.sonde.profiler.proto.AllocationSites;
import io.sonde.profiler.proto.ProfileRequest;
import io.sonde.profiler.proto.ProfileResult;
import io.sonde.profiler.proto.ProfileStarted;
import io.sonde.profiler.proto.WorkerCommand;
import io.sonde.profiler.proto.WorkerEvent;
import one.profiler.AsyncProfiler;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The profiler inside one JVM (a worker, or a driver): runs the node's requests with
 * async-profiler loaded in-process, and sends back what they give.
 *
 * <pre>
 *   profile: check ─▶ start (cpu: perf events, else ctimer, else itimer) ─▶ started
 *            ... duration, or the caller left (stop) ... ─▶ stop ─▶ output file, chunks ─▶ result
 *   stacks, heap: answered at once, also while a profile runs
 * </pre>
 *
 * <h2>Threads</h2>
 * {@link #command} may be called on a transport thread that must not block: every request is
 * handed to the profiler's own thread ({@code sonde-profiler}), which runs them one at a time; a
 * profile does not hold it while it records (its end is scheduled), so stacks and heap requests
 * are answered meanwhile. One profile at a time: async-profiler is one per JVM.
 */
public final class ProcessProfiler {
    /** The size of the output's pieces sent back: well under gRPC's 4 MiB messages. */
    static final int CHUNK = 1 << 20;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    /** The JVM the profiler runs in, as its plug-in sees it. */
    public interface Host {
        /** Who this is in messages: {@code worker 3f2a (pid 4711)}. */
        String describe();

        /** The start of output file names: {@code worker-3f2a}. */
        String fileLabel();

        /** Sends an event to the node's profiler, in order. */
        void send(WorkerEvent event);

        /** The running task on that thread, as {@code sonde stack} labels it ({@code task square (id 4f1a)}), if any. */
        Optional<String> taskLabel(Thread thread);
    }

    /** How {@code sonde memory --by-name} names a live-allocation profile that {@code sonde profile} recorded. */
    public static final String LIVE_SOURCE = "sonde profile --event alloc --live";

    private final Host host;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sonde-profiler");
        t.setDaemon(true);
        return t;
    });
    /** On the profiler's thread only: the profile that runs, or null. */
    private Running running;

    private record Running(long request, ProfileRequest spec, ProfileEvent event, ProfileFormat format, String engine,
                           Path output, AsyncProfiler profiler, ScheduledFuture<?> end) {
    }

    public ProcessProfiler(Host host) {
        this.host = host;
    }

    /** A request of the node; never blocks. */
    public void command(WorkerCommand c) {
        thread.execute(() -> {
            try {
                switch (c.getBodyCase()) {
                    case PROFILE -> profile(c.getRequest(), c.getProfile());
                    case STOP -> stop(c.getRequest());
                    case STACKS -> host.send(WorkerEvent.newBuilder().setRequest(c.getRequest())
                            .setStacks(Stacks.of(host)).build());
                    case HEAP -> host.send(WorkerEvent.newBuilder().setRequest(c.getRequest())
                            .setHeap(Heap.run(host, c.getHeap())).build());
                    case USAGE -> host.send(WorkerEvent.newBuilder().setRequest(c.getRequest())
                            .setUsage(Heap.usage()).build());
                    default -> {
                    }
                }
            } catch (RuntimeException | Error e) {
                fail(c.getRequest(), e.getMessage() == null ? e.toString() : e.getMessage());
            }
        });
    }

    /** Stops the profiler's thread; a profile that runs is stopped without output. */
    public void close() {
        thread.execute(() -> {
            if (running != null) {
                try {
                    running.profiler.execute("stop");
                } catch (Exception ignored) {
                    // exiting anyway
                }
                running = null;
            }
        });
        thread.shutdown();
    }

    private void fail(long request, String message) {
        host.send(WorkerEvent.newBuilder().setRequest(request).setError(message).build());
    }

    private void profile(long request, ProfileRequest r) {
        if (running != null) {
            fail(request, host.describe() + " is already being profiled (--event " + running.event.id()
                    + "): async-profiler runs one profile per JVM. Wait for that one to end, then try again.");
            return;
        }
        ProfileEvent event = ProfileEvent.parse(r.getEvent());
        ProfileFormat format = ProfileFormat.parse(r.getFormat().isEmpty() ? "html" : r.getFormat());
        event.checkLive(r.getLive());
        if (!r.getInterval().isEmpty()) {
            event.checkInterval(r.getInterval());
        }
        Optional<BreakpointStops.Stop> stop = BreakpointStops.find(Thread.getAllStackTraces());
        if (stop.isPresent()) {
            BreakpointStops.Stop s = stop.get();
            String task = host.taskLabel(findThread(s.thread())).map(t -> t + " ").orElse("");
            fail(request, "Cannot profile " + host.describe() + ": its " + task + "is stopped at a breakpoint at "
                    + s.where() + " (thread " + s.thread() + "), so a profile would record only its wait. Let it go on"
                    + " first (continue in `sonde debug` or /debug), then profile again.");
            return;
        }
        AsyncProfiler profiler = AsyncProfiler.getInstance(library(r).toString());
        Path dir = Path.of(r.getOutputDir());
        Path output = format == ProfileFormat.FLAT ? null
                : dir.resolve(host.fileLabel() + "-" + event.id() + (r.getLive() ? "-live" : "") + "-"
                + LocalDateTime.now().format(STAMP) + "." + format.extension());
        if (output != null) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new IllegalStateException("cannot create " + dir + " for the profile's output: " + e.getMessage(), e);
            }
        }
        StringBuilder options = new StringBuilder();
        if (!r.getInterval().isEmpty()) {
            options.append(",interval=").append(r.getInterval());
        }
        if (r.getLive()) {
            options.append(",live");
        }
        if (format == ProfileFormat.JFR) {
            options.append(",jfr,file=").append(output);
        }
        String engine;
        String note = "";
        if (event == ProfileEvent.CPU) {
            CpuEngine.Started started = CpuEngine.start(e -> profiler.execute("start,event=" + e + options));
            engine = started.event();
            note = started.note();
        } else {
            try {
                profiler.execute("start,event=" + event.id() + options);
            } catch (Exception e) {
                throw new IllegalStateException("async-profiler cannot record " + event.id() + " in " + host.describe()
                        + ": " + e.getMessage(), e);
            }
            engine = event.id();
        }
        ScheduledFuture<?> end = thread.schedule(() -> finish(request), r.getDurationMs(), TimeUnit.MILLISECONDS);
        running = new Running(request, r, event, format, engine, output, profiler, end);
        host.send(WorkerEvent.newBuilder().setRequest(request).setStarted(ProfileStarted.newBuilder()
                .setPid(ProcessHandle.current().pid()).setEngine(engine).setNote(note).setWho(host.describe())).build());
    }

    /** The caller left: end the profile now (its output is still written, for whoever reads the session dir). */
    private void stop(long request) {
        Running r = running;
        if (r != null && r.request == request && r.end.cancel(false)) {
            finish(request);
        }
    }

    private void finish(long request) {
        Running r = running;
        if (r == null || r.request != request) {
            return;
        }
        running = null;
        try {
            long collectMs = 0;
            if (r.spec.getLive() && r.spec.getCollectBeforeStop()) {
                long t0 = System.nanoTime();
                System.gc(); // what died since the last collection is still "live" to async-profiler until collected
                collectMs = (System.nanoTime() - t0) / 1_000_000;
            }
            r.profiler.execute("stop");
            String counted = r.event.memory() ? "total," : "";
            if (r.format == ProfileFormat.HTML) {
                r.profiler.execute("flamegraph," + counted + "dot,file=" + r.output);
            } else if (r.format == ProfileFormat.COLLAPSED) {
                r.profiler.execute("collapsed," + counted + "dot,file=" + r.output);
            }
            String summary;
            io.sonde.profiler.proto.LiveAllocations live = null;
            AllocationSites sites = null;
            if (r.format == ProfileFormat.JFR) {
                summary = "A JFR recording: open it in JDK Mission Control, or read it with `jfr print --events"
                        + " jdk.ExecutionSample` (cpu, wall) or `jfr summary`.\n";
            } else {
                String event = r.engine + (r.spec.getLive() ? ", live" : "");
                String samples = r.profiler.execute("collapsed,dot");
                if (r.event.memory()) {
                    String bytes = r.profiler.execute("collapsed,total,dot");
                    summary = ProfileSummary.sites(event, samples, bytes);
                    if (r.event == ProfileEvent.ALLOC && r.spec.getLive()) {
                        live = ProfileSummary.live(bytes, LIVE_SOURCE, System.currentTimeMillis());
                    }
                    sites = ProfileSummary.allocationSites(samples, bytes);
                } else {
                    summary = ProfileSummary.frames(event, samples);
                }
            }
            if (r.output != null && r.spec.getSendOutput()) {
                sendFile(request, r.output);
            }
            ProfileResult.Builder result = ProfileResult.newBuilder().setSummary(summary)
                    .setPath(r.output == null ? "" : r.output.toString()).setCollectMs(collectMs);
            if (live != null) {
                result.setLive(live);
            }
            if (sites != null) {
                result.setSites(sites);
            }
            host.send(WorkerEvent.newBuilder().setRequest(request).setResult(result).build());
        } catch (Exception e) {
            fail(request, "the profile of " + host.describe() + " failed as it ended: " + e.getMessage());
        }
    }

    private void sendFile(long request, Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[CHUNK];
            int n;
            while ((n = in.readNBytes(buffer, 0, CHUNK)) > 0) {
                host.send(WorkerEvent.newBuilder().setRequest(request).setChunk(ByteString.copyFrom(buffer, 0, n)).build());
            }
        }
    }

    private static Path library(ProfileRequest r) {
        Path lib = Path.of(r.getLibrary());
        if (!Files.isReadable(lib)) {
            throw new IllegalStateException("async-profiler's native library is not at " + lib + ", where the node put it"
                    + " (does this process run on the node's machine?)");
        }
        return lib;
    }

    private static Thread findThread(String name) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name)) {
                return t;
            }
        }
        return Thread.currentThread();
    }
}
