package io.sonde;

import io.sonde.proto.TaskInfo;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static io.sonde.testing.Processes.alive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Cancels of a task queued behind a running one, on a node of one CPU: there the queued task can
 * only wait behind the running one, on the node or in the queue of the one worker that runs
 * tasks. The cancelled task never runs, and the running one is neither interrupted nor killed: it
 * returns its value, at its first attempt, from the same worker.
 */
class PipelinedCancelTest {
    private static final Duration GET = Duration.ofSeconds(60);

    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(1);

    /**
     * Writes its pid to {@code started}, then sleeps until {@code go} exists: an interrupt fails
     * it (the sleep throws), and it may not be retried, so a kill of its worker fails it too.
     */
    private static ObjectRef<Long> longRunning(Path started, Path go) {
        String s = started.toString();
        String g = go.toString();
        return Sonde.task(() -> {
            Files.writeString(Path.of(s), Long.toString(ProcessHandle.current().pid()));
            long end = System.nanoTime() + 120_000_000_000L;
            while (!Files.exists(Path.of(g)) && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            return ProcessHandle.current().pid();
        }).name("long-running").maxRetries(0).remote();
    }

    /** Would create {@code ran} if it ever ran. */
    private static ObjectRef<Integer> queued(Path ran) {
        String r = ran.toString();
        return Sonde.task(() -> {
            Files.writeString(Path.of(r), "ran");
            return 1;
        }).name("queued").remote();
    }

    private static long pidIn(Path file) {
        await().atMost(GET).until(() -> Files.exists(file) && !Files.readString(file).isEmpty());
        try {
            return Long.parseLong(Files.readString(file));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The node has the task: it decided where it waits (on the node, or queued on a worker). */
    private static void nodeHas(ObjectRef<?> ref) {
        await().atMost(GET).until(() -> cluster.taskInfo(ref).isPresent());
    }

    private void cancelTheQueuedOne(Path dir, boolean force) throws Exception {
        Path started = dir.resolve("started");
        Path go = dir.resolve("go");
        Path ran = dir.resolve("ran");
        ObjectRef<Long> running = longRunning(started, go);
        long pid = pidIn(started);
        ObjectRef<Integer> behind = queued(ran);
        nodeHas(behind);

        Sonde.cancel(behind, force, false);
        assertThatThrownBy(() -> Sonde.get(behind, GET)).isInstanceOf(TaskCancelledException.class)
                .hasMessageContaining("task queued");
        assertThat(alive(pid)).as("the running task's worker").isTrue();

        Files.writeString(go, "go");
        // neither interrupted nor killed (it may not be retried): it returns, from the worker it started on
        assertThat(Sonde.get(running, GET)).isEqualTo(pid);
        assertThat(cluster.taskInfo(running)).hasValueSatisfying(t -> {
            assertThat(t.getState()).isEqualTo(TaskInfo.State.FINISHED);
            assertThat(t.getAttempt()).isZero();
        });
        // the one CPU is free again: a later task runs, and the cancelled one, which was ahead of
        // it in any queue, did not run before it, nor does it run after
        assertThat(Sonde.get(Sonde.task(() -> 7).name("later").remote(), GET)).isEqualTo(7);
        await("the cancelled task never runs").during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> !Files.exists(ran));
        assertThat(cluster.taskInfo(behind)).hasValueSatisfying(t -> assertThat(t.getState()).isEqualTo(TaskInfo.State.CANCELLED));
    }

    @Test
    void aCancelledTaskQueuedBehindARunningOneNeverRunsAndTheRunningOneReturns(@TempDir Path dir) throws Exception {
        cancelTheQueuedOne(dir, false);
    }

    @Test
    void aForcedCancelOfATaskQueuedBehindARunningOneDoesNotKillTheRunningOne(@TempDir Path dir) throws Exception {
        cancelTheQueuedOne(dir, true);
    }
}
