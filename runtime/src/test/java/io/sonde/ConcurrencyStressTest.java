package io.sonde;

import io.sonde.internal.SondeRuntime;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * The embedded cluster under concurrent load from several driver threads, with a watchdog for
 * Java-level deadlocks: the driver's client calls the node in process, the node delivers to the
 * driver's client on its send threads, and workers fetch the program's classes from the driver
 * while results flow the other way. Two lock orders across the node, a client session and the
 * driver's client once hung real programs here (see {@code SerialObserver} in the node).
 *
 * <p>Each round starts a cluster, defines a program only in the driver's memory (so every worker
 * fetches its classes), then five driver threads at once: run tasks over many in-memory classes;
 * cancel tasks softly, by force, and while they complete; create actors, call them, interrupt a
 * call and kill one; put values of an in-memory type and run tasks on them; and, all along, put
 * values and cancel tasks as soon as they are submitted, which completes the driver's objects
 * inside its own calls. Every get has a timeout, the round has a deadline, and the round ends
 * with {@code Sonde.shutdown()} within a bound and no worker process left.
 *
 * <p>One round by default; {@code -Dsonde.stress.factor=N} (the {@code stress} Maven profile sets
 * it) runs N.
 */
class ConcurrencyStressTest {
    private static final int FACTOR = Integer.getInteger("sonde.stress.factor", 1);
    private static final int ROUNDS = FACTOR;
    private static final Duration GET = Duration.ofSeconds(60);
    private static final Duration ROUND = Duration.ofSeconds(150);
    private static final Duration SHUTDOWN = Duration.ofSeconds(30);
    private static final Duration WORKERS_GONE = Duration.ofSeconds(20);
    private static final String LOAD = "stressload.Load";

    @Test
    void tasksActorsAndCancelsFromManyDriverThreadsNeverDeadlockTheEmbeddedCluster() throws Exception {
        MemoryProgram program = MemoryProgram.compile(LOAD, workloadSource());
        try (DeadlockWatchdog watchdog = new DeadlockWatchdog(Duration.ofMillis(100))) {
            for (int round = 0; round < ROUNDS; round++) {
                runRound(program, round, watchdog);
            }
            watchdog.check();
        }
    }

    private static void runRound(MemoryProgram program, int round, DeadlockWatchdog watchdog) throws Exception {
        boolean ended = false;
        ExecutorService drivers = Executors.newFixedThreadPool(5, r -> {
            Thread t = new Thread(r, "stress-driver");
            t.setDaemon(true);
            return t;
        });
        try {
            // Worker JVMs compile less and collect with one thread: the round starts many on few cores.
            Sonde.init(new InitOptions().numCpus(4).logToDriver(false)
                    .workerJvmOption("-XX:TieredStopAtLevel=1").workerJvmOption("-XX:+UseSerialGC"));
            SondeRuntime.client().setClassSource(program.loader());
            StressWorkload w = program.newInstance(LOAD, StressWorkload.class);
            AtomicBoolean othersDone = new AtomicBoolean();
            Future<String> churn = drivers.submit(named("churn", () -> churn(w, othersDone)));
            List<Future<String>> jobs = List.of(
                    drivers.submit(named("tasks", () -> tasks(w, round))),
                    drivers.submit(named("cancels", () -> cancels(w, round))),
                    drivers.submit(named("actors", () -> actors(w, round))),
                    drivers.submit(named("puts", () -> puts(w, round))));
            long deadline = System.nanoTime() + ROUND.toNanos();
            for (Future<String> job : jobs) {
                awaitJob(job, deadline, watchdog, round);
            }
            othersDone.set(true);
            awaitJob(churn, deadline, watchdog, round);
            shutdownWithinBound(watchdog, round);
            ended = true;
            awaitNoWorkerLeft(round);
        } finally {
            drivers.shutdownNow();
            if (!ended) {
                // A hung cluster must not leave its worker JVMs behind on the machine.
                ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** Runs a driver job on a thread named after it, so that a thread dump tells the jobs apart. */
    private static Callable<String> named(String name, Callable<String> job) {
        return () -> {
            Thread.currentThread().setName("stress-driver-" + name);
            return job.call();
        };
    }

    private static void awaitJob(Future<String> job, long deadline, DeadlockWatchdog watchdog, int round)
            throws InterruptedException {
        while (true) {
            watchdog.check();
            try {
                job.get(100, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    fail("round " + round + ": the driver threads did not finish within " + ROUND.toSeconds()
                            + " s; no deadlock between monitors was seen. Threads:\n" + DeadlockWatchdog.dumpAllThreads());
                }
            } catch (ExecutionException e) {
                watchdog.check();
                throw new AssertionError("round " + round + ": a driver thread failed: " + e.getCause(), e.getCause());
            }
        }
    }

    private static void shutdownWithinBound(DeadlockWatchdog watchdog, int round) throws InterruptedException {
        Thread shutdown = new Thread(Sonde::shutdown, "stress-shutdown");
        shutdown.setDaemon(true);
        shutdown.start();
        shutdown.join(SHUTDOWN.toMillis());
        watchdog.check();
        if (shutdown.isAlive()) {
            fail("round " + round + ": Sonde.shutdown() did not return within " + SHUTDOWN.toSeconds() + " s. Threads:\n"
                    + DeadlockWatchdog.dumpAllThreads());
        }
    }

    private static void awaitNoWorkerLeft(int round) {
        await().atMost(WORKERS_GONE).untilAsserted(() -> assertThat(ProcessHandle.current().descendants()
                .filter(ProcessHandle::isAlive).map(p -> p.pid() + " " + p.info().commandLine().orElse("?")))
                .as("round %d: worker processes alive after Sonde.shutdown()", round).isEmpty());
    }

    // ------------------------------------------------------------------ the driver threads

    /** Tasks over every in-memory class, some read while others are still being submitted. */
    private static String tasks(StressWorkload w, int round) {
        List<ObjectRef<Integer>> refs = new ArrayList<>();
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 2 * StressWorkload.PARTS; i++) {
            int part = (7 * i + round) % StressWorkload.PARTS;
            refs.add(w.compute(part, i));
            expected.add(w.local(part, i));
            if (i % 8 == 7) {
                assertThat(Sonde.get(refs.get(i - 4), GET)).isEqualTo(expected.get(i - 4));
            }
        }
        assertThat(Sonde.get(refs, GET)).isEqualTo(expected);
        return "tasks";
    }

    /** Soft and forced cancels of pending and running tasks, and cancels that race a task's completion. */
    private static String cancels(StressWorkload w, int round) throws InterruptedException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 3; i++) {
            ObjectRef<Integer> soft = w.sleeper(i + round);
            ObjectRef<Integer> forced = w.stubborn(i + round);
            // cancel some while they are pending, others once they run
            Thread.sleep(random.nextInt(1500));
            Sonde.cancel(soft);
            Sonde.cancel(forced, true, false);
            assertThatThrownBy(() -> Sonde.get(soft, GET)).isInstanceOf(TaskCancelledException.class);
            assertThatThrownBy(() -> Sonde.get(forced, GET)).isInstanceOf(TaskCancelledException.class);
        }
        for (int i = 0; i < 12; i++) {
            int part = (5 * i + round) % StressWorkload.PARTS;
            ObjectRef<Integer> racing = w.compute(part, i);
            Thread.sleep(random.nextInt(50));
            Sonde.cancel(racing, i % 3 == 0, false);
            assertFinishedOrCancelled(racing, w.local(part, i));
        }
        return "cancels";
    }

    /** Actors created and called at once, an interrupted call, and a killed actor. */
    private static String actors(StressWorkload w, int round) {
        int n = 5;
        List<ActorHandle<?>> counters = IntStream.range(0, n).mapToObj(i -> w.counter(1000 * i))
                .collect(Collectors.toList());
        List<ObjectRef<Integer>> first = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            first.add(w.add(counters.get(i), (i + round) % StressWorkload.PARTS));
        }
        ObjectRef<Integer> napping = w.nap(counters.get(0));
        List<ObjectRef<Integer>> second = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            second.add(w.add(counters.get(i), (3 * i + round) % StressWorkload.PARTS));
        }
        for (int i = 0; i < n; i++) {
            int afterFirst = 1000 * i + w.local((i + round) % StressWorkload.PARTS, 1);
            assertThat(Sonde.get(first.get(i), GET)).isEqualTo(afterFirst);
            if (i > 0) {
                assertThat(Sonde.get(second.get(i), GET))
                        .isEqualTo(afterFirst + w.local((3 * i + round) % StressWorkload.PARTS, 1));
            }
        }
        // the nap runs (the calls behind it wait for it): interrupt it, and the actor goes on
        Sonde.cancel(napping);
        assertThatThrownBy(() -> Sonde.get(napping, GET)).isInstanceOf(TaskCancelledException.class);
        assertThat(Sonde.get(second.get(0), GET)).isEqualTo(w.local(round % StressWorkload.PARTS, 1)
                + w.local(round % StressWorkload.PARTS, 1));
        ActorHandle<?> last = counters.get(n - 1);
        Sonde.kill(last);
        assertThatThrownBy(() -> Sonde.get(w.add(last, 0), GET)).isInstanceOf(ActorDiedException.class);
        return "actors";
    }

    /** Values of an in-memory type put by the driver, read by tasks, some of which are cancelled. */
    private static String puts(StressWorkload w, int round) {
        List<ObjectRef<Integer>> refs = new ArrayList<>();
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            int part = (11 * i + round) % StressWorkload.PARTS;
            ObjectRef<?> box = w.box(i);
            ObjectRef<Integer> r = w.unbox(box, part);
            if (i % 4 == 3) {
                Sonde.cancel(r);
                assertFinishedOrCancelled(r, w.local(part, i));
            } else {
                refs.add(r);
                expected.add(w.local(part, i));
            }
        }
        WaitResult<Integer> all = Sonde.wait(refs, refs.size(), GET);
        assertThat(all.unready()).as("tasks on put values still unfinished after %s", GET).isEmpty();
        assertThat(Sonde.get(refs, GET)).isEqualTo(expected);
        return "puts";
    }

    /**
     * Until the other driver threads are done: puts, and tasks cancelled as soon as they are
     * submitted. Each completes an object of the driver at once, inside the driver's call, while
     * workers fetch classes from the same driver.
     */
    private static String churn(StressWorkload w, AtomicBoolean othersDone) {
        for (int i = 0; i < 5_000 && !othersDone.get(); i++) {
            int part = i % StressWorkload.PARTS;
            ObjectRef<?> box = w.box(i);
            ObjectRef<Integer> r = w.compute(part, i);
            Sonde.cancel(r, false, false);
            assertFinishedOrCancelled(r, w.local(part, i));
            if (i % 16 == 0) {
                assertThat(Sonde.get(w.unbox(box, part), GET)).isEqualTo(w.local(part, i));
            }
        }
        return "churn";
    }

    private static void assertFinishedOrCancelled(ObjectRef<Integer> ref, int value) {
        try {
            assertThat(Sonde.get(ref, GET)).isEqualTo(value);
        } catch (TaskCancelledException expected) {
            // the cancel came first
        }
    }

    // ------------------------------------------------------------------ the in-memory program

    /** {@code stressload.Load}: {@link StressWorkload} over {@link StressWorkload#PARTS} small classes. */
    private static String workloadSource() {
        StringBuilder parts = new StringBuilder();
        StringBuilder cases = new StringBuilder();
        for (int k = 0; k < StressWorkload.PARTS; k++) {
            // a large constant makes each class take a while to ship, as real classes do
            parts.append("    static final class Part").append(k).append(" {\n")
                    .append("        static final String TEXT = \"").append(String.valueOf((char) ('a' + k % 26)).repeat(16_000))
                    .append("\";\n")
                    .append("        static int f(int x) { return x * 31 + ").append(k).append(" + TEXT.length() % 1; }\n")
                    .append("    }\n");
            cases.append("            case ").append(k).append(": return Part").append(k).append(".f(x);\n");
        }
        return String.join("\n",
                "package stressload;",
                "import io.sonde.*;",
                "public final class Load implements StressWorkload {",
                "    public record Box(int value) implements java.io.Serializable {}",
                "    public static final class Counter {",
                "        private int n;",
                "        public Counter(int start) { n = start; }",
                "        public int add(int part) { n += Load.part(part, 1); return n; }",
                "        public int nap() throws InterruptedException { Thread.sleep(60_000); return n; }",
                "    }",
                parts.toString(),
                "    static int part(int k, int x) {",
                "        switch (k) {",
                cases.toString(),
                "            default: throw new IllegalArgumentException(\"no part \" + k);",
                "        }",
                "    }",
                "    static int sleep(int k) throws InterruptedException { Thread.sleep(60_000); return part(k, 0); }",
                "    static int ignoreInterrupts(int k) {",
                "        long end = System.nanoTime() + 60_000_000_000L;",
                "        while (System.nanoTime() < end) {",
                "            try { Thread.sleep(100); } catch (InterruptedException ignored) { }",
                "        }",
                "        return part(k, 0);",
                "    }",
                "    static int open(Box b, int k) { return part(k, b.value()); }",
                "    @SuppressWarnings(\"unchecked\")",
                "    private static ActorHandle<Counter> counter(ActorHandle<?> h) { return (ActorHandle<Counter>) h; }",
                "    public ObjectRef<Integer> compute(int part, int x) { return Sonde.task(Load::part, part, x).remote(); }",
                "    public int local(int part, int x) { return part(part, x); }",
                "    public ObjectRef<Integer> sleeper(int part) { return Sonde.task(Load::sleep, part).remote(); }",
                "    public ObjectRef<Integer> stubborn(int part) { return Sonde.task(Load::ignoreInterrupts, part).remote(); }",
                "    public ActorHandle<?> counter(int start) { return Sonde.actor(Counter::new, start).remote(); }",
                "    public ObjectRef<Integer> add(ActorHandle<?> c, int part) { return counter(c).task(Counter::add, part).remote(); }",
                "    public ObjectRef<Integer> nap(ActorHandle<?> c) { return counter(c).task(Counter::nap).remote(); }",
                "    public ObjectRef<?> box(int value) { return Sonde.put(new Box(value)); }",
                "    @SuppressWarnings(\"unchecked\")",
                "    public ObjectRef<Integer> unbox(ObjectRef<?> box, int part) {",
                "        return Sonde.task(Load::open, (ObjectRef<Box>) box, part).remote();",
                "    }",
                "}");
    }
}
