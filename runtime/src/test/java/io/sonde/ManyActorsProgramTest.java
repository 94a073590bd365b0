package io.sonde;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Single-file programs run as real {@code java Main.java} driver processes: their classes exist
 * only in the driver's memory, so every worker fetches them from the driver while results flow.
 * A program that created 40 actors and called each once once hung for good on one run of five,
 * and SIGTERM then hung too (the shutdown hook waited for the node's lock). Each run here must
 * end within a bound, and SIGTERM must end a busy driver and its workers within a bound.
 *
 * <p>The default suite runs the actors' program once with 12 actors;
 * {@code -Dsonde.stress.factor=N} (the {@code stress} Maven profile sets it) runs it N times with
 * 40.
 */
class ManyActorsProgramTest {
    private static final int FACTOR = Integer.getInteger("sonde.stress.factor", 1);
    private static final int RUNS = FACTOR;
    /** 40 as in the report; the default suite has room for 12 (each actor is a JVM, on two busy cores). */
    private static final int ACTORS = FACTOR > 1 ? 40 : 12;
    private static final Duration RUN = Duration.ofSeconds(150);
    private static final Duration SIGTERM = Duration.ofSeconds(30);

    private static final String ACTORS_PROGRAM = String.join("\n",
            "import io.sonde.*;",
            "import java.util.ArrayList;",
            "import java.util.List;",
            "public class Actors {",
            "    public static final class Greeter {",
            "        private final int id;",
            "        public Greeter(int id) { this.id = id; }",
            "        public int id() { return id; }",
            "    }",
            "    public static void main(String[] args) {",
            "        int n = Integer.parseInt(args[0]);",
            "        Sonde.init();",
            "        List<ActorHandle<Greeter>> actors = new ArrayList<>();",
            "        for (int i = 0; i < n; i++) {",
            "            actors.add(Sonde.actor(Greeter::new, i).remote());",
            "        }",
            "        List<ObjectRef<Integer>> ids = new ArrayList<>();",
            "        for (ActorHandle<Greeter> a : actors) {",
            "            ids.add(a.task(Greeter::id).remote());",
            "        }",
            "        int sum = 0;",
            "        for (int id : Sonde.get(ids)) {",
            "            sum += id;",
            "        }",
            "        System.out.println(\"sum \" + sum);",
            "        Sonde.shutdown();",
            "    }",
            "}");

    /** Keeps creating actors and running tasks until it is stopped: new workers fetch its classes all the time. */
    private static final String BUSY_PROGRAM = String.join("\n",
            "import io.sonde.*;",
            "import java.util.ArrayList;",
            "import java.util.List;",
            "public class Busy {",
            "    public static final class Echo {",
            "        public int echo(int x) { return x; }",
            "    }",
            "    static int square(int x) { return x * x; }",
            "    public static void main(String[] args) {",
            "        Sonde.init();",
            "        for (int round = 0; ; round++) {",
            "            List<ObjectRef<Integer>> refs = new ArrayList<>();",
            "            for (int i = 0; i < 2; i++) {",
            "                refs.add(Sonde.actor(Echo::new).remote().task(Echo::echo, i).remote());",
            "            }",
            "            for (int i = 0; i < 8; i++) {",
            "                refs.add(Sonde.task(Busy::square, i).remote());",
            "            }",
            "            Sonde.get(refs);",
            "            System.out.println(\"round \" + round);",
            "        }",
            "    }",
            "}");

    @Test
    void aProgramThatCreatesManyActorsAndCallsEachOnceEndsEveryTime(@TempDir Path dir) throws Exception {
        Path program = Files.writeString(dir.resolve("Actors.java"), ACTORS_PROGRAM);
        for (int run = 0; run < RUNS; run++) {
            Path log = dir.resolve("run-" + run + ".log");
            Process driver = start(dir, program, log, Integer.toString(ACTORS));
            try {
                if (!driver.waitFor(RUN.toSeconds(), TimeUnit.SECONDS)) {
                    fail("run " + run + " of `java Actors.java " + ACTORS + "` did not end within " + RUN.toSeconds()
                            + " s. The driver's threads:\n" + threadDump(driver) + "\nIts output:\n" + read(log));
                }
                assertThat(read(log)).as("run %d's output", run).contains("sum " + ACTORS * (ACTORS - 1) / 2);
                assertThat(driver.exitValue()).as("run %d's exit code; output:%n%s", run, read(log)).isZero();
            } finally {
                killWithItsWorkers(driver);
            }
        }
    }

    @Test
    void sigtermEndsABusyDriverAndItsWorkersWithinABound(@TempDir Path dir) throws Exception {
        Path program = Files.writeString(dir.resolve("Busy.java"), BUSY_PROGRAM);
        Path log = dir.resolve("busy.log");
        Process driver = start(dir, program, log);
        try {
            await().atMost(RUN).until(() -> read(log).contains("round 0") || !driver.isAlive());
            assertThat(driver.isAlive()).as("the busy driver runs; output:%n%s", read(log)).isTrue();
            List<ProcessHandle> workers = driver.descendants().collect(Collectors.toList());
            assertThat(workers).as("the busy driver's workers").isNotEmpty();

            driver.destroy(); // SIGTERM: the JVM runs Sonde's shutdown hook
            if (!driver.waitFor(SIGTERM.toSeconds(), TimeUnit.SECONDS)) {
                fail("the driver did not end within " + SIGTERM.toSeconds() + " s of SIGTERM. Its threads:\n"
                        + threadDump(driver) + "\nIts output:\n" + read(log));
            }
            await().atMost(SIGTERM).untilAsserted(() -> assertThat(workers.stream().filter(ProcessHandle::isAlive)
                    .map(ProcessHandle::pid)).as("workers alive after their driver ended").isEmpty());
        } finally {
            killWithItsWorkers(driver);
        }
    }

    private static Process start(Path dir, Path program, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), program.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // Workers compile less and collect with one thread: dozens start at once on few cores.
        pb.environment().put("SONDE_WORKER_JVM_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
        return pb.start();
    }

    /** The driver's threads with their locks, by jcmd, for a driver that hangs. */
    private static String threadDump(Process driver) {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(driver.pid()), "Thread.print", "-l").redirectErrorStream(true).start();
            String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jcmd.waitFor(30, TimeUnit.SECONDS);
            return dump;
        } catch (IOException e) {
            return "(no thread dump: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(no thread dump: interrupted)";
        }
    }

    /** SIGKILL to a driver that is still there and to every worker it started, so none outlives the test. */
    private static void killWithItsWorkers(Process driver) {
        List<ProcessHandle> all = driver.descendants().collect(Collectors.toList());
        driver.destroyForcibly();
        all.forEach(ProcessHandle::destroyForcibly);
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }
}
