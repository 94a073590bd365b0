package io.sonde.cli;

import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.testing.SondeRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 100 000 small tasks from one driver, as Ray's {@code test_many_tasks}: submit all, then get
 * all, against a head daemon started as {@code sonde start --head} starts it, with its heap
 * bounded ({@code SONDE_HEAD_JVM_OPTIONS=-Xmx...}, and an out-of-memory error ends it). Within
 * the bound the node manager stays alive and answers, and every result comes back right. The
 * head's used heap is sampled from outside (jstat, every 500 ms) and its peak printed as
 * {@code node manager heap peak: N MiB}, with the old generation's peak and the most a collection
 * left (from the head's GC log).
 *
 * <p>Runs under {@code -Pstress} only (about a minute on 2 cores); {@code SubmitBackPressureTest}
 * checks the bound itself in the default suite. {@code -Dsonde.manyTasks.count=N} and {@code -Dsonde.manyTasks.headXmx=SIZE} change the
 * number of tasks and the head's bound, to find the smallest bound a build passes with.
 */
@org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "sonde.stress.factor", matches = "[1-9][0-9]+",
        disabledReason = "a stress run (about a minute on 2 cores): mvn -B verify -pl shell -am -Pstress -Dtest=ManyTasksTest"
                + " -Dsurefire.failIfNoSpecifiedTests=false; the default suite checks the bound with SubmitBackPressureTest")
class ManyTasksTest {
    private static final int TASKS = Integer.getInteger("sonde.manyTasks.count", 100_000);
    /**
     * The head's heap bound. When a driver could submit as fast as it liked, the head held all
     * 100 000 tasks at once: it needed 208m (its collector busy for most of the run) and ran out in
     * 192m. A client now keeps at most SONDE_MAX_PENDING_TASKS (10 000) of its tasks at the node,
     * and the run passes in 96m; 128m leaves room. What still grows with the number of tasks is
     * their results: the node keeps each small value while the driver holds its ref.
     */
    private static final String HEAD_XMX = System.getProperty("sonde.manyTasks.headXmx", "128m");
    private static final Duration ALL_DONE = Duration.ofSeconds(300);
    private static final Duration START = Duration.ofSeconds(60);

    @RegisterExtension
    static final SondeRoot root = SondeRoot.temporary();

    static int small(int i) {
        return i;
    }

    @Test
    void aDriverSubmitsAHundredThousandTasksAndGetsEveryResultFromAHeadOfBoundedHeap() throws Exception {
        long head = startHead();
        String address = Files.readString(root.resolve("head_address")).trim();
        try (HeapSampler heap = new HeapSampler(head)) {
            assertThat(ProcessHandle.of(head).flatMap(p -> p.info().commandLine()))
                    .hasValueSatisfying(c -> assertThat(c).contains("-Xmx" + HEAD_XMX).contains(HeadFiles.HEAD_MARKER));
            long t0 = System.nanoTime();
            long submitted = t0;
            long sum = 0;
            Sonde.init(address);
            try {
                List<ObjectRef<Integer>> refs = new ArrayList<>(TASKS);
                for (int i = 0; i < TASKS; i++) {
                    refs.add(Sonde.task(ManyTasksTest::small, i).remote());
                }
                submitted = System.nanoTime();
                for (Integer v : Sonde.get(refs, ALL_DONE)) {
                    sum += v;
                }
            } catch (RuntimeException e) {
                throw new AssertionError("the run failed after " + (System.nanoTime() - t0) / 1_000_000_000 + " s; " + heap
                        + afterGc() + "; the head " + (exits(head) ? "died" : "is alive") + ", its output:\n" + headOut(), e);
            } finally {
                Sonde.shutdown();
            }
            long done = System.nanoTime();
            System.out.printf("%d tasks: submitted in %.1f s, all results in %.1f s (head -Xmx%s)%n", TASKS,
                    (submitted - t0) / 1e9, (done - t0) / 1e9, HEAD_XMX);
            System.out.println(heap + afterGc());

            assertThat(sum).isEqualTo((long) TASKS * (TASKS - 1) / 2);
            assertThat(heap.samples()).as("jstat samples of the head's heap: %s", heap.problem()).isGreaterThan(0);
            assertThat(ProcessHandle.of(head).map(ProcessHandle::isAlive).orElse(false))
                    .as("the head is alive after the run; its output:\n%s", headOut()).isTrue();
            Cli.Run status = Cli.sonde("status");
            assertThat(status.exitCode()).as("the head still answers: %s\nits output:\n%s", status, headOut()).isZero();
            Cli.Run stop = Cli.sonde("stop");
            assertThat(stop.exitCode()).as(stop.toString()).isZero();
        } finally {
            Cli.sonde("stop"); // cleanup only: a head that died leaves nothing to stop
            ProcessHandle.of(head).ifPresent(p -> {
                try {
                    p.onExit().get(20, TimeUnit.SECONDS);
                } catch (Exception e) {
                    p.destroyForcibly();
                }
            });
        }
    }

    /**
     * {@code sonde start --head --port 0 --num-cpus 2} in a JVM of its own, so that
     * {@code SONDE_HEAD_JVM_OPTIONS} reaches the daemon it starts; the daemon's pid.
     */
    private static long startHead() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Dsonde.root=" + root.path(),
                "-cp", System.getProperty("java.class.path"), SondeMain.class.getName(),
                "start", "--head", "--port", "0", "--num-cpus", "2")
                .redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.remove("SONDE_ADDRESS");
        // an out-of-memory error anywhere in the head ends it, rather than leaving a node that half works
        env.put("SONDE_HEAD_JVM_OPTIONS", "-Xmx" + HEAD_XMX + " -XX:+ExitOnOutOfMemoryError -Xlog:gc:file=" + gcLog());
        Process cli = pb.start();
        String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(cli.waitFor(START.toSeconds(), TimeUnit.SECONDS)).as("sonde start returns: %s", out).isTrue();
        assertThat(cli.exitValue()).as("sonde start --head: %s", out).isZero();
        return Long.parseLong(Files.readString(root.resolve("head.pid")).trim());
    }

    private static Path gcLog() {
        return root.path().resolve("head-gc.log");
    }

    /** {@code "; heap after GC peak: N MiB"}: the most the head's collections left, from its GC log. */
    private static String afterGc() {
        try (Stream<String> lines = Files.lines(gcLog())) {
            Pattern pause = Pattern.compile("(\\d+)M->(\\d+)M\\(\\d+M\\)");
            long peak = lines.map(pause::matcher).filter(Matcher::find)
                    .mapToLong(m -> Long.parseLong(m.group(2))).max().orElse(-1);
            return "; heap after GC peak: " + peak + " MiB";
        } catch (IOException | UncheckedIOException e) {
            return "; no GC log: " + e;
        }
    }

    /** Whether the process ends within a few seconds (one that ran out of memory takes a moment). */
    private static boolean exits(long pid) {
        try {
            ProcessHandle.of(pid).ifPresent(p -> p.onExit().orTimeout(5, TimeUnit.SECONDS).join());
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String headOut() {
        try {
            List<String> lines = Files.readAllLines(root.resolve("head.out"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(head.out not readable: " + e + ")";
        }
    }

    /**
     * The used heap of a JVM, sampled every 500 ms by one {@code jstat -gc} process (it reads the
     * JVM's performance counters, so sampling costs the head nothing): the sum of the survivor,
     * eden and old generation columns, in KiB, and the old generation's alone.
     */
    private static final class HeapSampler implements AutoCloseable {
        private final Process jstat;
        private final Thread reader;
        private final AtomicLong peakKib = new AtomicLong();
        private final AtomicLong peakOldKib = new AtomicLong();
        private final AtomicLong samples = new AtomicLong();
        private final AtomicReference<String> problem = new AtomicReference<>("none");

        HeapSampler(long pid) throws IOException {
            Path jstatBin = Path.of(System.getProperty("java.home"), "bin", "jstat");
            jstat = new ProcessBuilder(jstatBin.toString(), "-gc", Long.toString(pid), "500")
                    .redirectErrorStream(true).start();
            reader = new Thread(this::read, "head-heap-sampler");
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(jstat.getInputStream(), StandardCharsets.UTF_8))) {
                List<String> header = null;
                String line;
                while ((line = in.readLine()) != null) {
                    List<String> cols = Arrays.asList(line.trim().split("\\s+"));
                    if (cols.contains("EU")) {
                        header = cols;
                        continue;
                    }
                    if (header == null || cols.size() != header.size()) {
                        problem.set(line);
                        continue;
                    }
                    double old = value(header, cols, "OU");
                    double used = value(header, cols, "S0U") + value(header, cols, "S1U") + value(header, cols, "EU") + old;
                    peakKib.accumulateAndGet((long) used, Math::max);
                    peakOldKib.accumulateAndGet((long) old, Math::max);
                    samples.incrementAndGet();
                }
            } catch (IOException | RuntimeException e) {
                problem.set(e.toString());
            }
        }

        private static double value(List<String> header, List<String> cols, String name) {
            return Double.parseDouble(cols.get(header.indexOf(name)).replace(',', '.')); // a decimal comma in some locales
        }

        long peakMib() {
            return peakKib.get() / 1024;
        }

        long peakOldMib() {
            return peakOldKib.get() / 1024;
        }

        long samples() {
            return samples.get();
        }

        String problem() {
            return problem.get();
        }

        @Override
        public String toString() {
            return "node manager heap peak: " + peakMib() + " MiB (old generation peak: " + peakOldMib() + " MiB, "
                    + samples() + " samples, -Xmx" + HEAD_XMX + ")";
        }

        @Override
        public void close() throws InterruptedException {
            jstat.destroy();
            reader.join(5_000);
        }
    }
}
