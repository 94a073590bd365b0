package io.sonde;

import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.sonde.testing.Processes.alive;
import static io.sonde.testing.Processes.kill9;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Each way a worker process can end while it runs a task, for real, and what the task's failure
 * says about it: the cause that applies, and none that does not.
 */
class WorkerExitCausesTest {
    private static final Duration GET = Duration.ofSeconds(60);
    private static final String OOM_KILLER = "OOM killer";

    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);

    static int quit() {
        System.exit(1); // the calling line the failure must name
        return 0;
    }

    static int quitQuietly() {
        System.exit(0);
        return 0;
    }

    static int halt3() {
        Runtime.getRuntime().halt(3);
        return 0;
    }

    static int halt0() {
        Runtime.getRuntime().halt(0);
        return 0;
    }

    private static Throwable failureOf(ObjectRef<?> ref) {
        Throwable thrown = catchThrowable(() -> Sonde.get(ref, GET));
        assertThat(thrown).isInstanceOf(WorkerCrashedException.class);
        return thrown;
    }

    @Test
    void systemExitNamesTheTaskTheThreadAndTheCallingLine() {
        ObjectRef<Integer> r = Sonde.task(WorkerExitCausesTest::quit).name("quitter").maxRetries(0).remote();
        Throwable e = failureOf(r);
        assertThat(e.getMessage())
                .contains("task quitter")
                .contains("exited with code 1 while running it because code in it called System.exit(1)")
                .contains("on thread \"sonde-task\"")
                .contains("at " + WorkerExitCausesTest.class.getName() + ".quit(WorkerExitCausesTest.java:33)")
                .doesNotContain("FunctionInvoker")
                .contains("throw an exception to fail the task")
                .doesNotContain(OOM_KILLER).doesNotContain("SIGSEGV").doesNotContain("sonde stop --force");
    }

    /** An actor whose method ends its JVM. */
    public static final class Quitter {
        public int quit(int code) {
            System.exit(code);
            return code;
        }
    }

    @Test
    void anActorCallThatCallsSystemExitIsNamedInTheActorsDeath() {
        ActorHandle<Quitter> a = Sonde.actor(Quitter::new).remote();
        ObjectRef<Integer> r = a.task(Quitter::quit, 2).name("Quitter.quit").remote();
        Throwable e = catchThrowable(() -> Sonde.get(r, GET));
        assertThat(e).isInstanceOf(ActorDiedException.class);
        assertThat(e.getMessage())
                .contains("exited with code 2 because code in it called System.exit(2) on thread \"sonde-task\"")
                .contains("while actor Quitter.quit (pid=")
                .contains("at " + Quitter.class.getName() + ".quit(WorkerExitCausesTest.java:")
                .doesNotContain(OOM_KILLER).doesNotContain("SIGSEGV");
    }

    @Test
    void systemExitWithZeroIsReportedAsTheCallItIs() {
        ObjectRef<Integer> r = Sonde.task(WorkerExitCausesTest::quitQuietly).name("quiet").maxRetries(0).remote();
        assertThat(failureOf(r).getMessage())
                .contains("task quiet")
                .contains("called System.exit(0)")
                .contains(".quitQuietly(WorkerExitCausesTest.java:")
                .doesNotContain(OOM_KILLER).doesNotContain("SIGSEGV");
    }

    @Test
    void haltSaysNoShutdownHookRanAndNamesHalt() {
        ObjectRef<Integer> r = Sonde.task(WorkerExitCausesTest::halt3).name("halter").maxRetries(0).remote();
        assertThat(failureOf(r).getMessage())
                .contains("task halter")
                .contains("exited with exit code 3 while running it without running its shutdown hooks")
                .contains("Runtime.halt(3)")
                .doesNotContain("called System.exit").doesNotContain(OOM_KILLER).doesNotContain("SIGSEGV");
    }

    @Test
    void haltWithZeroIsNotBlamedOnMemoryNorSignals() {
        ObjectRef<Integer> r = Sonde.task(WorkerExitCausesTest::halt0).name("zero").maxRetries(0).remote();
        assertThat(failureOf(r).getMessage())
                .contains("task zero")
                .contains("exited with code 0 while running it, without being asked to")
                .contains("Runtime.halt(0)")
                .doesNotContain(OOM_KILLER).doesNotContain("SIGKILL").doesNotContain("SIGSEGV");
    }

    @Test
    void sigkillFromOutsideNamesTheSignalAndTheOomKiller(@TempDir Path dir) throws Exception {
        ObjectRef<Integer> r = Sonde.task(WorkerExitCausesTest::waitToBeSignalled, dir.resolve("pid").toString())
                .name("victim").maxRetries(0).remote();
        long pid = awaitPid(dir.resolve("pid"));
        kill9(pid);
        assertThat(failureOf(r).getMessage())
                .contains("task victim")
                .contains("(pid=" + pid)
                .contains("was killed by signal 9 (SIGKILL) while running it (exit code 137)")
                .contains("and not by Sonde's memory monitor")
                .contains("Worker exit type: UNEXPECTED_SYSTEM_EXIT")
                .contains("(1) the process was killed by SIGKILL by the " + OOM_KILLER + " due to high memory usage")
                .contains("Killed process " + pid)
                .contains("(2) `sonde stop --force` was called")
                .contains("(3) the worker crashed unexpectedly due to SIGSEGV or other unexpected errors")
                .doesNotContain("System.exit");
    }

    @Test
    void sigsegvMakesTheJvmCrashAndTheFailureNamesItsCrashReport(@TempDir Path dir) throws Exception {
        ObjectRef<Integer> r = Sonde.task(WorkerExitCausesTest::waitToBeSignalled, dir.resolve("pid").toString())
                .name("segv").maxRetries(0).remote();
        long pid = awaitPid(dir.resolve("pid"));
        signal("SEGV", pid);
        String message = failureOf(r).getMessage();
        Path crashLog = crashLogOf(message, pid);
        assertThat(message).contains("task segv").contains("its JVM hit a fatal error")
                .doesNotContain(OOM_KILLER).doesNotContain("System.exit");
        assertThat(crashLog).isRegularFile();
        assertThat(Files.readString(crashLog)).contains("SIGSEGV");
    }

    @Test
    void sigabrtFromOutsideSaysTheSignalAndThatNoCrashReportWasWritten(@TempDir Path dir) throws Exception {
        ObjectRef<Integer> r = Sonde.task(WorkerExitCausesTest::waitToBeSignalled, dir.resolve("pid").toString())
                .name("abrt").maxRetries(0).remote();
        long pid = awaitPid(dir.resolve("pid"));
        signal("ABRT", pid);
        assertThat(failureOf(r).getMessage())
                .contains("task abrt")
                .contains("was ended by signal 6 (SIGABRT) while running it")
                .contains("its JVM wrote no crash report")
                .contains("kill -6 " + pid)
                .doesNotContain(OOM_KILLER).doesNotContain("System.exit");
    }

    @Test
    void aTaskThatRanOutOfMemoryRetiresItsWorker() {
        // larger than any array the JVM makes, whatever the worker's heap: OutOfMemoryError at once
        ObjectRef<Integer> r = Sonde.task(() -> new long[Integer.MAX_VALUE].length).name("hog").remote();
        Throwable e = catchThrowable(() -> Sonde.get(r, GET));
        // the task's own story first: its failure is the OutOfMemoryError, not a crash
        assertThat(e).isInstanceOf(TaskException.class).hasCauseInstanceOf(OutOfMemoryError.class)
                .hasMessageContaining("task hog");
        long pid = pidIn(e.getMessage());
        await("the worker that ran out of memory exits").atMost(Duration.ofSeconds(30)).until(() -> !alive(pid));
        ObjectRef<Long> next = Sonde.task(() -> ProcessHandle.current().pid()).name("next").remote();
        assertThat(Sonde.get(next, GET)).isNotEqualTo(pid);
    }

    @Test
    void aStackOverflowKeepsItsWorker() {
        ObjectRef<Integer> r = Sonde.task(() -> recurse(0)).name("deep").remote();
        Throwable e = catchThrowable(() -> Sonde.get(r, GET));
        assertThat(e).isInstanceOf(TaskException.class).hasCauseInstanceOf(StackOverflowError.class);
        long pid = pidIn(e.getMessage());
        await("the worker goes on").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> alive(pid));
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    static int waitToBeSignalled(String pidFile) throws Exception {
        Files.writeString(Path.of(pidFile), Long.toString(ProcessHandle.current().pid()));
        Thread.sleep(120_000);
        return 0;
    }

    private static long awaitPid(Path pidFile) throws IOException {
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
        return Long.parseLong(Files.readString(pidFile).trim());
    }

    private static void signal(String name, long pid) throws Exception {
        new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start().waitFor();
    }

    private static long pidIn(String message) {
        Matcher m = Pattern.compile("\\(pid=(\\d+)").matcher(message);
        assertThat(m.find()).as("a pid in: %s", message).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static Path crashLogOf(String message, long pid) {
        Matcher m = Pattern.compile("crash report to (\\S+\\.hs_err\\.log)").matcher(message);
        assertThat(m.find()).as("a crash report named in: %s", message).isTrue();
        assertThat(m.group(1)).endsWith("-" + pid + ".hs_err.log");
        return Path.of(m.group(1));
    }
}
