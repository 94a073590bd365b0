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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client keeps at most {@code SONDE_MAX_PENDING_TASKS} of its normal tasks at the node: the
 * submitting thread waits for room, at the pace the cluster runs them, so the node's memory does
 * not grow with what a driver queues. Nothing is lost to it, and it never deadlocks: tasks that
 * wait for something the driver does only after submitting more get it, after a stall of a few
 * seconds that stderr names.
 */
class SubmitBackPressureTest {
    private static final int CAP = 8;

    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2).property("sonde.maxPendingTasks", Integer.toString(CAP));

    @TempDir
    Path dir;

    static int slow(int i) throws InterruptedException {
        Thread.sleep(30);
        return i;
    }

    /** Waits until the file exists: something the driver does after it submitted. */
    static int waitFor(String file, int i) throws InterruptedException {
        while (!Files.exists(Path.of(file))) {
            Thread.sleep(10);
        }
        return i;
    }

    private static long unfinished() {
        return cluster.nodeManager().listTasks().stream()
                .filter(t -> t.getState() != TaskInfo.State.FINISHED && t.getState() != TaskInfo.State.FAILED
                        && t.getState() != TaskInfo.State.CANCELLED).count();
    }

    @Test
    void theNodeNeverHoldsMoreThanTheCapOfADriversTasksAndEveryResultArrives() throws Exception {
        int n = 120;
        List<ObjectRef<Integer>> refs = new ArrayList<>();
        CompletableFuture<Void> submitting = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < n; i++) {
                refs.add(Sonde.task(SubmitBackPressureTest::slow, i).remote());
            }
        });
        AtomicInteger most = new AtomicInteger();
        while (!submitting.isDone()) {
            most.accumulateAndGet((int) unfinished(), Math::max);
            Thread.sleep(5);
        }
        submitting.get();
        // what must not be lost: every task submitted, each result right
        long sum = 0;
        for (int v : Sonde.get(refs, Duration.ofSeconds(60))) {
            sum += v;
        }
        assertThat(sum).isEqualTo((long) n * (n - 1) / 2);
        assertThat(most.get()).as("the most unfinished tasks the node held at once").isBetween(1, CAP);
    }

    @Test
    void tasksWaitingForWhatTheDriverDoesAfterSubmittingDoNotWedgeIt() throws Exception {
        Path go = dir.resolve("go");
        List<ObjectRef<Integer>> refs = new ArrayList<>();
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(said, true));
        long started = System.nanoTime();
        try {
            for (int i = 0; i < 2 * CAP; i++) {
                // none ends until the driver creates the file, which it does after submitting them all
                refs.add(Sonde.task(SubmitBackPressureTest::waitFor, go.toString(), i).remote());
            }
        } finally {
            System.setErr(stderr);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the stall before submits go on").isGreaterThanOrEqualTo(Duration.ofSeconds(5));
        Files.createFile(go);
        await().atMost(Duration.ofSeconds(60)).until(() -> Sonde.get(refs).size() == 2 * CAP);
        assertThat(Sonde.get(refs)).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 2 * CAP).boxed().toList());
        assertThat(said.toString()).contains("none ended in the last 5 s")
                .contains("SONDE_MAX_PENDING_TASKS=" + CAP);
    }
}
