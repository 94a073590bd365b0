package io.sonde.cli;

import io.sonde.ActorHandle;
import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.proto.TaskInfo;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code sonde profile} against this test's embedded node over gRPC, with async-profiler loaded
 * into real worker JVMs. Profiles are 1 s long.
 */
class ProfileCommandTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);

    static volatile double sink;

    /** Burns CPU in this very method until {@code release} exists in {@code dir}. */
    static long spin(String dir) {
        long rounds = 0;
        while (!Files.exists(Path.of(dir, "release"))) {
            for (int r = 0; r < 1000; r++) {
                double s = 0;
                for (int i = 0; i < 10_000; i++) {
                    s += Math.sqrt(i + rounds);
                }
                sink = s;
                rounds++;
            }
        }
        return rounds;
    }

    /** An actor that keeps what it allocates: a static list that grows. */
    public static final class Hoard {
        static final List<byte[]> KEPT = new ArrayList<>();

        /** Allocates 64 KiB arrays, kept, until {@code release} exists in {@code dir}. */
        public int grow(String dir) throws InterruptedException {
            while (!Files.exists(Path.of(dir, "release"))) {
                KEPT.add(new byte[64 * 1024]);
                if (KEPT.size() > 2000) { // 128 MiB: let the oldest go, so the worker's heap is never full
                    KEPT.subList(0, 1000).clear();
                }
                Thread.sleep(1);
            }
            return KEPT.size();
        }
    }

    /** What {@link Leaky} keeps: 80 bytes each. */
    public record Leaked(long a, long b, long c, long d, long e, long f, long g, long h) {
    }

    /** An actor that leaks: a static list that grows. */
    public static final class Leaky {
        static final List<Leaked> KEPT = new ArrayList<>();

        public int leak(int n) {
            for (long i = 0; i < n; i++) {
                KEPT.add(new Leaked(i, i, i, i, i, i, i, i));
            }
            return KEPT.size();
        }
    }

    /** Halts its worker as soon as the worker's profiler takes a request: a worker that exits mid-profile. */
    static int exitWhenProfiled() {
        while (Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("sonde-profiler"))) {
            Thread.onSpinWait();
        }
        Runtime.getRuntime().halt(7);
        return 0;
    }

    static int stopAtBreakpoint() {
        Sonde.breakpoint();
        return 1;
    }

    private static TaskInfo running(ObjectRef<?> ref) {
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.taskInfo(ref)
                .filter(t -> t.getState() == TaskInfo.State.RUNNING).isPresent());
        return cluster.taskInfo(ref).orElseThrow();
    }

    private static Path printedFile(String out, String label) {
        Matcher m = Pattern.compile(label + ": (\\S+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return Path.of(m.group(1));
    }

    @Test
    void aCpuProfileOfABusyTaskNamesTheBusyMethodAndWritesAFlameGraphUnderTheSessionDir(@TempDir Path dir) {
        ObjectRef<Long> busy = Sonde.task(ProfileCommandTest::spin, dir.toString()).name("spin").remote();
        TaskInfo t = running(busy);

        Cli.Run run = Cli.sonde("profile", t.getTaskId(), "--event", "cpu", "--duration", "1s",
                "--address", cluster.address());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("Profiling worker " + t.getWorkerId() + " (pid " + t.getPid() + ", task spin "
                + t.getTaskId() + ") for 1s: ");
        // the busy method is the top frame by self time
        assertThat(run.out()).containsPattern("Top frames \\((cpu|ctimer|itimer), [\\d,]+ samples\\):");
        String firstRow = run.out().lines().dropWhile(l -> !l.contains("samples  frame")).skip(1).findFirst().orElse("");
        assertThat(firstRow).as(run.out()).endsWith("ProfileCommandTest.spin");
        Path html = printedFile(run.out(), "Flame graph");
        assertThat(html).startsWith(cluster.hostedNode().sessionDir().resolve("profiles")).isRegularFile();
        assertThat(html.getFileName().toString()).startsWith("worker-" + t.getWorkerId() + "-cpu-").endsWith(".html");
        // async-profiler's page keeps the frames' names prefix-compressed: the method's own name is whole
        assertThat(contentOf(html)).startsWith("<!DOCTYPE html>").contains("spin'");
        // the library was extracted once, to a stable path of the session
        assertThat(cluster.hostedNode().sessionDir().resolve("profiler/libasyncProfiler.so")).isRegularFile();

        release(dir);
        assertThat(Sonde.get(busy)).isPositive();
    }

    @Test
    void aLiveAllocProfileOfANamedActorNamesTheAllocatingMethodAndClassAndWritesOutput(@TempDir Path dir) {
        ActorHandle<Hoard> hoard = Sonde.actor(Hoard::new).name("hoard").remote();
        ObjectRef<Integer> growing = hoard.task(Hoard::grow, dir.toString()).remote();
        running(growing);
        Path out = dir.resolve("alloc.collapsed");

        Cli.Run run = Cli.sonde("profile", "hoard", "--event", "alloc", "--live", "--duration", "1s", "--interval", "64k",
                "--format", "collapsed", "-o", out.toString(), "--address", cluster.address());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("(pid ").contains(", actor hoard) for 1s: alloc, live, interval 64k...")
                .containsPattern("Top allocation sites by bytes \\(alloc, live, [\\d.]+ [KMG]B in [\\d,]+ samples\\):")
                .contains("Top allocation sites by objects (sampled):");
        String firstRow = run.out().lines().dropWhile(l -> !l.contains("site (class)")).skip(1).findFirst().orElse("");
        assertThat(firstRow).as(run.out()).endsWith("ProfileCommandTest$Hoard.grow (byte[])");
        assertThat(run.out()).contains("Written to " + out);
        assertThat(out).isRegularFile();
        // collapsed stacks, counted in bytes: the allocating method, then the class
        assertThat(contentOf(out)).containsPattern("io\\.sonde\\.cli\\.ProfileCommandTest\\$Hoard\\.grow;byte\\[](_\\[[ik]])? \\d+");
        assertThat(contentOf(printedFile(run.out(), "Collapsed stacks"))).isEqualTo(contentOf(out));

        release(dir);
        assertThat(Sonde.get(growing)).isPositive();
        Sonde.kill(hoard);
    }

    @Test
    void flatPrintsOnlyTheSummaryOfTheDriver() {
        Cli.Run run = Cli.sonde("profile", "driver", "--event", "wall", "--duration", "1s", "--format", "flat",
                "--address", cluster.address());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("Profiling the driver (pid " + ProcessHandle.current().pid() + ") for 1s: wall...")
                .contains("Top frames (wall, ").doesNotContain("Flame graph");
    }

    @Test
    void aWorkerThatExitsMidProfileEndsItWithAClearMessage() {
        ObjectRef<Integer> doomed = Sonde.task(ProfileCommandTest::exitWhenProfiled).name("doomed").maxRetries(0).remote();
        TaskInfo t = running(doomed);
        long start = System.nanoTime();

        Cli.Run run = Cli.sonde("profile", t.getWorkerId(), "--event", "wall", "--duration", "60s",
                "--address", cluster.address());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("Worker " + t.getWorkerId() + " (pid " + t.getPid() + ") exited before it"
                + " answered");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }

    /** One parked task for both behaviours: each costs a worker's start and a breakpoint. */
    @Test
    void stackLabelsTaskThreadsAndMarksAParkedOneWhichProfileRefuses(@TempDir Path dir) {
        ObjectRef<Long> busy = Sonde.task(ProfileCommandTest::spin, dir.toString()).name("spin").remote();
        ObjectRef<Integer> stopped = Sonde.task(ProfileCommandTest::stopAtBreakpoint).name("stopper").remote();
        TaskInfo spin = running(busy);
        TaskInfo stopper = running(stopped);
        await().atMost(Duration.ofSeconds(30)).until(() -> !io.sonde.debugger.plugin.DebugNodePlugin
                .of(cluster.hostedNode()).listBreakpoints().isEmpty());

        Cli.Run run = Cli.sonde("stack", "--address", cluster.address());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).startsWith("Stacks of the cluster at " + cluster.address() + ": ")
                .contains("=== worker " + spin.getWorkerId() + " (pid " + spin.getPid() + ") ===\n")
                .contains("=== worker " + stopper.getWorkerId() + " (pid " + stopper.getPid() + ") ===\n")
                .contains("=== the driver (pid " + ProcessHandle.current().pid() + ") ===\n")
                .containsPattern("\"sonde-task\" #\\d+ RUNNABLE  task spin \\(task id " + spin.getTaskId() + "\\)\n"
                        + "    at .*ProfileCommandTest\\.spin\\(ProfileCommandTest\\.java:\\d+\\)")
                .containsPattern("\"sonde-task\" #\\d+ TIMED_WAITING  task stopper \\(task id " + stopper.getTaskId()
                        + "\\)  \\[parked at a breakpoint]\n");


        Cli.Run refused = Cli.sonde("profile", Long.toString(stopper.getPid()), "--event", "cpu", "--duration", "1s",
                "--address", cluster.address());

        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).startsWith("Cannot profile worker " + stopper.getWorkerId() + " (pid " + stopper.getPid()
                + "): its task stopper (task id " + stopper.getTaskId() + ") is stopped at a breakpoint at"
                + " ProfileCommandTest.java:").contains("Let it go on first (continue in `sonde debug` or /debug), then"
                + " profile again.");

        release(dir);
        Sonde.cancel(stopped);
        assertThat(Sonde.get(busy)).isPositive();
    }

    @Test
    void aHeapHistogramListsTheLeakingClassFirstAndAHeapDumpIsHprof(@TempDir Path dir) {
        ActorHandle<Leaky> leaky = Sonde.actor(Leaky::new).name("leaky").remote();
        assertThat(Sonde.get(leaky.task(Leaky::leak, 250_000).remote())).isEqualTo(250_000);
        Path dump = dir.resolve("leaky.hprof");

        Cli.Run histogram = Cli.sonde("memory", "--heap", "leaky", "--address", cluster.address());
        Cli.Run written = Cli.sonde("memory", "--heap", "leaky", "--heap-dump", dump.toString(), "--address",
                cluster.address());
        Cli.Run again = Cli.sonde("memory", "--heap", "leaky", "--heap-dump", dump.toString(), "--address",
                cluster.address());

        assertThat(histogram.exitCode()).as(histogram.toString()).isZero();
        assertThat(histogram.out()).startsWith("Live objects of worker ");
        for (String table : List.of("Top classes by bytes:", "Top classes by count:")) {
            String first = histogram.out().lines().dropWhile(l -> !l.equals(table)).skip(2).findFirst().orElse("");
            assertThat(first).as(histogram.out()).matches("\\s+1[89]\\.\\d MB\\s+\\d+\\.\\d%\\s+250,\\d{3}"
                    + "  io\\.sonde\\.cli\\.ProfileCommandTest\\$Leaked");
        }
        assertThat(written.exitCode()).as(written.toString()).isZero();
        assertThat(written.out()).startsWith("Heap dump of worker ").contains("): live objects, ")
                .contains(", written to " + dump + ". Open it in Eclipse MAT or VisualVM.");
        assertThat(contentStart(dump)).isEqualTo("JAVA PROFILE 1.0.2");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).startsWith(dump + " exists already: give a new file for the heap dump");
        Sonde.kill(leaky);
    }

    @Test
    void aCallerThatLeavesEndsTheProfileEarlyAndItsOutputIsStillWritten() throws Exception {
        io.grpc.ManagedChannel channel = io.sonde.tooling.NodeChannels.open(cluster.address());
        io.grpc.Context.CancellableContext call = io.grpc.Context.current().withCancellation();
        Path profiles = cluster.hostedNode().sessionDir().resolve("profiles");
        String file = "driver-" + ProcessHandle.current().pid() + "-wall-";
        try {
            java.util.Iterator<io.sonde.profiler.proto.ProfileReply> replies = call.call(() ->
                    io.sonde.profiler.proto.ProfilerGrpc.newBlockingStub(channel).profile(
                            io.sonde.profiler.proto.ProfileRequest.newBuilder()
                                    .setTarget(io.sonde.profiler.proto.Target.newBuilder().setDriver(true))
                                    .setEvent("wall").setDurationMs(60_000).setFormat("html").build()));
            assertThat(replies.next().hasStarted()).isTrue();

            call.cancel(null); // Ctrl-C in `sonde profile`

            // stopped now, not in a minute: its flame graph is written, and the next profile may start
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.isDirectory(profiles)
                    && Files.list(profiles).anyMatch(p -> p.getFileName().toString().startsWith(file)));
            Cli.Run next = Cli.sonde("profile", "driver", "--event", "cpu", "--duration", "100ms", "--format", "flat",
                    "--address", cluster.address());
            assertThat(next.exitCode()).as(next.toString()).isZero();
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void badInputNamesTheProblemAndTheFix() {
        Cli.Run unknown = Cli.sonde("profile", "nosuchthing", "--event", "cpu", "--address", cluster.address());
        Cli.Run notAWorker = Cli.sonde("profile", "1", "--event", "cpu", "--address", cluster.address());
        Cli.Run event = Cli.sonde("profile", "driver", "--event", "cycles", "--address", cluster.address());
        Cli.Run duration = Cli.sonde("profile", "driver", "--event", "cpu", "--duration", "ten", "--address",
                cluster.address());
        Cli.Run live = Cli.sonde("profile", "driver", "--event", "wall", "--live", "--address", cluster.address());
        Cli.Run interval = Cli.sonde("profile", "driver", "--event", "alloc", "--interval", "10ms", "--address",
                cluster.address());

        Cli.Run dumpAlone = Cli.sonde("memory", "--heap-dump", "x.hprof", "--address", cluster.address());

        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).startsWith("No worker, actor or task 'nosuchthing' in the cluster at " + cluster.address())
                .contains("`sonde list workers`").contains("or driver.");
        assertThat(notAWorker.exitCode()).isEqualTo(1);
        assertThat(notAWorker.err()).startsWith("pid 1 is not a Sonde worker of the cluster at " + cluster.address());
        assertThat(event.exitCode()).isEqualTo(2);
        assertThat(event.err()).startsWith("Unknown event 'cycles': give one of cpu, wall, alloc, lock, nativemem.");
        assertThat(duration.exitCode()).isEqualTo(2);
        assertThat(duration.err()).startsWith("--duration ten is not a duration: give a number with ms, s or m, e.g. 10s.");
        assertThat(live.exitCode()).isEqualTo(2);
        assertThat(live.err()).startsWith("--live keeps the allocations still alive at the end, so it goes with --event"
                + " alloc or nativemem, not wall.");
        assertThat(interval.exitCode()).isEqualTo(2);
        assertThat(interval.err()).startsWith("--interval 10ms is not a size of memory for --event alloc");
        assertThat(dumpAlone.exitCode()).isEqualTo(2);
        assertThat(dumpAlone.err()).startsWith("--heap-dump writes the heap of the worker --heap names: give both");
    }

    private static void release(Path dir) {
        try {
            Files.writeString(dir.resolve("release"), "");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String contentStart(Path p) {
        try (java.io.InputStream in = Files.newInputStream(p)) {
            return new String(in.readNBytes(18), java.nio.charset.StandardCharsets.US_ASCII);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String contentOf(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
