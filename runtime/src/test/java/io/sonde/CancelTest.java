package io.sonde;

import io.sonde.internal.SondeRuntime;
import io.sonde.proto.CancelOutcome;
import io.sonde.proto.CancelledTask;
import io.sonde.proto.TaskInfo;
import io.sonde.proto.WorkerInfo;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.sonde.testing.Processes.alive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class CancelTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);

    private static ObjectRef<Integer> sleeper(Path started) {
        String s = started.toString();
        return Sonde.task(() -> {
            Files.writeString(Path.of(s), Long.toString(ProcessHandle.current().pid()));
            Thread.sleep(60_000);
            return 0;
        }).name("sleeper").remote();
    }

    @Test
    void pendingTaskIsCancelledAndNeverRuns(@TempDir Path dir) throws Exception {
        List<ObjectRef<Integer>> blockers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            blockers.add(sleeper(dir.resolve("b" + i)));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(dir.resolve("b0")) && Files.exists(dir.resolve("b1")));
        String ran = dir.resolve("ran").toString();
        ObjectRef<Integer> pending = Sonde.task(() -> {
            Files.writeString(Path.of(ran), "ran");
            return 1;
        }).name("pending").remote();
        Sonde.cancel(pending);
        assertThatThrownBy(() -> Sonde.get(pending)).isInstanceOf(TaskCancelledException.class)
                .hasMessageContaining("task pending").hasMessageContaining("before it started");
        blockers.forEach(Sonde::cancel);
        // the CPUs the blockers held are free now: the cancelled task must still never run
        await("the cancelled task never runs").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> !Files.exists(dir.resolve("ran")));
        assertThat(cluster.taskInfo(pending)).hasValueSatisfying(t -> assertThat(t.getState()).isEqualTo(TaskInfo.State.CANCELLED));
    }

    @Test
    void runningTaskIsInterruptedAndItsWorkerServesTheNextTask(@TempDir Path dir) throws Exception {
        Path started = dir.resolve("s");
        ObjectRef<Integer> r = sleeper(started);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(started));
        long pid = Long.parseLong(Files.readString(started));
        Sonde.cancel(r);
        assertThatThrownBy(() -> Sonde.get(r, Duration.ofSeconds(10))).isInstanceOf(TaskCancelledException.class)
                .hasMessageContaining("pid=" + pid);
        assertThat(alive(pid)).isTrue();
        // the interrupted worker is free again: two quick tasks both complete
        assertThat(Sonde.get(List.of(Sonde.task(() -> 1).remote(), Sonde.task(() -> 2).remote()))).containsExactly(1, 2);
    }

    @Test
    void forcedCancelKillsTheWorkerOfATaskThatIgnoresInterrupts(@TempDir Path dir) throws Exception {
        String s = dir.resolve("s").toString();
        ObjectRef<Integer> r = Sonde.task(() -> {
            Files.writeString(Path.of(s), Long.toString(ProcessHandle.current().pid()));
            long end = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            return 0;
        }).name("stubborn").remote();
        // written, not only created: writeString creates the file before it writes the pid
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(Path.of(s)) && !Files.readString(Path.of(s)).isEmpty());
        long pid = Long.parseLong(Files.readString(Path.of(s)));
        Sonde.cancel(r, true, false);
        assertThatThrownBy(() -> Sonde.get(r, Duration.ofSeconds(10))).isInstanceOf(TaskCancelledException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> !alive(pid));
        // a cancelled task is never retried
        await("no retry of the cancelled task").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> cluster.taskInfo(r).map(t -> t.getAttempt() == 0).orElse(false));
        assertThat(cluster.taskInfo(r)).hasValueSatisfying(t -> {
            assertThat(t.getState()).isEqualTo(TaskInfo.State.CANCELLED);
            assertThat(t.getAttempt()).isZero();
        });
    }

    @Test
    void recursiveCancelAlsoCancelsTheTasksItSubmitted(@TempDir Path dir) throws Exception {
        String childStarted = dir.resolve("child").toString();
        String childFinished = dir.resolve("child-done").toString();
        ObjectRef<ObjectRef<Integer>> parent = Sonde.task(() -> {
            ObjectRef<Integer> child = Sonde.task(() -> {
                Files.writeString(Path.of(childStarted), "x");
                Thread.sleep(5_000);
                Files.writeString(Path.of(childFinished), "x");
                return 1;
            }).name("child").remote();
            Sonde.get(child);
            return child;
        }).name("parent").remote();
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(Path.of(childStarted)));
        Sonde.cancel(parent, false, true);
        assertThatThrownBy(() -> Sonde.get(parent)).isInstanceOf(TaskCancelledException.class);
        // the child would finish 5 s after it started
        await("the cancelled child never finishes").during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(10))
                .until(() -> !Files.exists(Path.of(childFinished)));
        assertThat(cluster.nodeManager().listTasks())
                .filteredOn(t -> t.getName().equals("child"))
                .isNotEmpty()
                .allSatisfy(t -> assertThat(t.getState()).isEqualTo(TaskInfo.State.CANCELLED));
    }

    private static CancelledTask.Outcome outcome(CompletableFuture<CancelOutcome> f, ObjectRef<?> ref) throws Exception {
        CancelOutcome o = f.get(20, TimeUnit.SECONDS);
        return o.getTasksList().stream().filter(t -> t.getTaskId().equals(ref.id())).findFirst()
                .map(CancelledTask::getOutcome).orElseThrow(() -> new AssertionError(ref + " not in " + o));
    }

    private static long pidIn(Path file) throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(file) && !Files.readString(file).isEmpty());
        return Long.parseLong(Files.readString(file));
    }

    /** The node's CPUs are all free again: a task that needs both of them runs. */
    private static void bothCpusAreFree() {
        assertThat(Sonde.get(Sonde.task(() -> 7).numCpus(2).name("both-cpus").remote(), Duration.ofSeconds(60))).isEqualTo(7);
    }

    private static boolean busy(long pid) {
        return cluster.nodeManager().listWorkers().stream()
                .anyMatch(w -> w.getPid() == pid && w.getState() == WorkerInfo.State.BUSY);
    }

    @Test
    void aSoftCancelOfATaskThatSpinsSaysItStillRunsAndAForceThenKillsItsWorker(@TempDir Path dir) throws Exception {
        String s = dir.resolve("s").toString();
        ObjectRef<Long> r = Sonde.task(() -> {
            Files.writeString(Path.of(s), Long.toString(ProcessHandle.current().pid()));
            long x = 0;
            while (x >= 0) {
                x++;
            }
            return x;
        }).name("spin").remote();
        long pid = pidIn(Path.of(s));

        Sonde.cancel(r); // as a program calls it: soft, recursive
        assertThatThrownBy(() -> Sonde.get(r, Duration.ofSeconds(10))).isInstanceOf(TaskCancelledException.class);
        // the driver says the task goes on, rather than letting the caller believe it stopped
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.out().stream().anyMatch(l -> l.startsWith("(spin pid=" + pid + ")")
                && l.contains("still running: it ignores interrupts") && l.contains("Sonde.cancel(ref, true, true) (force) kills its worker")));
        assertThat(outcome(SondeRuntime.client().cancel(r, false, true), r)).isEqualTo(CancelledTask.Outcome.STILL_RUNNING);
        assertThat(alive(pid)).isTrue();
        assertThat(busy(pid)).isTrue();

        assertThat(outcome(SondeRuntime.client().cancel(r, true, true), r)).isEqualTo(CancelledTask.Outcome.KILLED);
        await().atMost(Duration.ofSeconds(10)).until(() -> !alive(pid));
        bothCpusAreFree();
        assertThat(cluster.taskInfo(r)).hasValueSatisfying(t -> {
            assertThat(t.getState()).isEqualTo(TaskInfo.State.CANCELLED);
            assertThat(t.getAttempt()).isZero();
        });
    }

    @Test
    void aTaskBlockedReadingAFifoIsReportedStillRunningThenAForcedCancelKillsItsWorkerAndKeepsOtherResults(@TempDir Path dir)
            throws Exception {
        Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        String s = dir.resolve("s").toString();
        String f = fifo.toString();
        ObjectRef<Integer> reader = Sonde.task(() -> {
            Files.writeString(Path.of(s), Long.toString(ProcessHandle.current().pid()));
            try (java.io.InputStream in = new java.io.FileInputStream(f)) { // blocks in open(2): no writer ever comes
                return in.read();
            }
        }).name("fifo-reader").remote();
        long pid = pidIn(Path.of(s));
        String go = dir.resolve("go").toString();
        ObjectRef<Integer> other = Sonde.task(() -> {
            while (!Files.exists(Path.of(go))) {
                Thread.sleep(20);
            }
            return 42;
        }).name("other").remote();
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.taskInfo(other)
                .map(t -> t.getState() == TaskInfo.State.RUNNING).orElse(false));
        Thread.sleep(300); // well into the blocking open

        CompletableFuture<CancelOutcome> soft = SondeRuntime.client().cancel(reader, false, true);
        assertThatThrownBy(() -> Sonde.get(reader, Duration.ofSeconds(10))).isInstanceOf(TaskCancelledException.class);
        assertThat(outcome(soft, reader)).isEqualTo(CancelledTask.Outcome.STILL_RUNNING);
        assertThat(alive(pid)).isTrue();
        assertThat(busy(pid)).isTrue();

        Sonde.cancel(reader, true, true);
        await().atMost(Duration.ofSeconds(10)).until(() -> !alive(pid));
        Files.writeString(Path.of(go), "go");
        assertThat(Sonde.get(other, Duration.ofSeconds(30))).isEqualTo(42);
        bothCpusAreFree();
    }

    @Test
    void aSoftCancelOfATaskThatObeysTheInterruptSaysItStopped(@TempDir Path dir) throws Exception {
        Path started = dir.resolve("s");
        ObjectRef<Integer> r = sleeper(started);
        long pid = pidIn(started);
        assertThat(outcome(SondeRuntime.client().cancel(r, false, true), r)).isEqualTo(CancelledTask.Outcome.STOPPED);
        assertThat(alive(pid)).isTrue();
        await("no still-running line for a task that stopped").during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
                .until(() -> cluster.out().stream().noneMatch(l -> l.startsWith("(sleeper pid=" + pid + ")")
                        && l.contains("still running")));
    }

    @Test
    void getOfAListThatTimesOutGivesTheWholeWaitAndHowManyWereNotReady(@TempDir Path dir) throws Exception {
        String go = dir.resolve("go").toString();
        List<ObjectRef<Integer>> refs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int v = i;
            refs.add(Sonde.task(() -> v).name("quick").remote());
        }
        Sonde.get(refs, Duration.ofSeconds(60));
        ObjectRef<Integer> slow = Sonde.task(() -> {
            while (!Files.exists(Path.of(go))) {
                Thread.sleep(20);
            }
            return 9;
        }).name("slow").remote();
        refs.add(1, slow); // the slow one early in the list: the wait for it is most of the whole wait
        refs.add(slow);
        assertThatThrownBy(() -> Sonde.get(refs, Duration.ofMillis(1500))).isInstanceOf(GetTimeoutException.class)
                .hasMessageContaining("2 of 5 results not ready after 1500 ms (3 ready; not ready: [" + slow + ", " + slow + "])");
        Files.writeString(Path.of(go), "go");
        assertThat(Sonde.get(refs, Duration.ofSeconds(30))).containsExactly(0, 9, 1, 2, 9);
    }
}
