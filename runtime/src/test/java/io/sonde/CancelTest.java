package io.sonde;

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
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(Path.of(s)));
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
}
