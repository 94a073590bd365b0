package io.sonde;

import io.sonde.proto.TaskInfo;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

/**
 * Many normal tasks in flight at once on a node of two CPUs, as a driver submits them: whatever
 * the node hands each worker ahead of the task it runs (the tasks behind it wait in the worker's
 * queue), a task that blocks in {@code get} or {@code wait} on tasks submitted after it does not
 * hold them up, and a worker that dies takes with it only the task it ran. The cancels of a task
 * queued behind a running one are in {@link PipelinedCancelTest}, on a node of one CPU.
 */
class PipelinedTasksTest {
    private static final Duration ALL_DONE = Duration.ofSeconds(120);
    private static final int TASKS = 50;

    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);

    /** Where the driver posts refs it makes after the tasks that read them were submitted. */
    public static final class Board {
        private List<ObjectRef<Integer>> posted;

        public int post(List<ObjectRef<Integer>> refs) {
            posted = new ArrayList<>(refs);
            return refs.size();
        }

        /** The posted refs, or null while none were posted. */
        public List<ObjectRef<Integer>> take() {
            return posted;
        }
    }

    static int value(int i) {
        return 3 * i + 1;
    }

    /** Task {@code i} of the ones behind the first: long enough that the first's worker has some queued when it blocks. */
    static int small(int i) throws InterruptedException {
        Thread.sleep(10);
        return value(i);
    }

    /** The refs the driver posted to the board, polling it until they are there. */
    static List<ObjectRef<Integer>> posted(ActorHandle<Board> board) throws InterruptedException {
        while (true) {
            List<ObjectRef<Integer>> refs = Sonde.get(board.task(Board::take).remote());
            if (refs != null) {
                return refs;
            }
            Thread.sleep(20);
        }
    }

    /** The first task: blocks in get on each of the tasks submitted after it, then sums their values. */
    static int sumByGet(ActorHandle<Board> board) throws InterruptedException {
        int sum = 0;
        for (ObjectRef<Integer> r : posted(board)) {
            sum += Sonde.get(r);
        }
        return sum;
    }

    /** The first task: blocks in wait until all the tasks submitted after it are done, then sums their values. */
    static int sumByWait(ActorHandle<Board> board) throws InterruptedException {
        List<ObjectRef<Integer>> refs = posted(board);
        WaitResult<Integer> w = Sonde.wait(refs, refs.size(), null);
        if (!w.unready().isEmpty()) {
            throw new IllegalStateException("wait for all of " + refs.size() + " returned with " + w.unready().size() + " not ready");
        }
        int sum = 0;
        for (ObjectRef<Integer> r : w.ready()) {
            sum += Sonde.get(r);
        }
        return sum;
    }

    @Test
    void aTaskBlockedInGetOnTasksQueuedBehindItDoesNotHoldThemUp() throws Exception {
        firstTaskWaitsOnTheOthers("board-get", PipelinedTasksTest::sumByGet);
    }

    @Test
    void aTaskBlockedInWaitOnTasksQueuedBehindItDoesNotHoldThemUp() throws Exception {
        firstTaskWaitsOnTheOthers("board-wait", PipelinedTasksTest::sumByWait);
    }

    /**
     * 50 tasks at once on two CPUs: the first waits on the 49 submitted after it, of which the
     * node may well have queued some behind it on its own worker; their refs reach it through an
     * actor once all 50 were submitted. Nothing deadlocks: every result arrives, right.
     */
    private static void firstTaskWaitsOnTheOthers(String boardName, io.sonde.function.SondeFunc1<ActorHandle<Board>, Integer> first)
            throws Exception {
        ActorHandle<Board> board = Sonde.actor(Board::new).name(boardName).remote();
        List<ObjectRef<Integer>> refs = new ArrayList<>();
        refs.add(Sonde.task(first, board).name("first").remote());
        for (int i = 1; i < TASKS; i++) {
            refs.add(Sonde.task(PipelinedTasksTest::small, i).name("behind").remote());
        }
        assertThat(Sonde.get(board.task(Board::post, new ArrayList<>(refs.subList(1, TASKS))).remote(), ALL_DONE))
                .isEqualTo(TASKS - 1);

        List<Integer> values = getAllWatchingForDeadlocks(refs);

        int sum = IntStream.range(1, TASKS).map(PipelinedTasksTest::value).sum();
        List<Integer> expected = new ArrayList<>(List.of(sum));
        IntStream.range(1, TASKS).forEach(i -> expected.add(value(i)));
        assertThat(values).containsExactlyElementsOf(expected);
        Sonde.kill(board);
    }

    /** The values of all refs, failing at once on a deadlock in this JVM (driver and node), and with the node's view of the tasks on a timeout. */
    private static List<Integer> getAllWatchingForDeadlocks(List<ObjectRef<Integer>> refs) {
        long deadline = System.nanoTime() + ALL_DONE.toNanos();
        try (DeadlockWatchdog watchdog = new DeadlockWatchdog(Duration.ofMillis(100))) {
            while (true) {
                watchdog.check();
                try {
                    List<Integer> values = Sonde.get(refs, Duration.ofMillis(500));
                    watchdog.check();
                    return values;
                } catch (GetTimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        fail("the " + refs.size() + " tasks did not all finish within " + ALL_DONE.toSeconds() + " s: "
                                + e.getMessage() + "\nthe node's tasks: " + states() + "\nthreads:\n" + DeadlockWatchdog.dumpAllThreads());
                    }
                }
            }
        }
    }

    private static String states() {
        return cluster.nodeManager().listTasks().stream()
                .collect(Collectors.groupingBy(t -> t.getName() + " " + t.getState(), Collectors.counting())).toString();
    }

    static int quit() throws InterruptedException {
        Thread.sleep(300); // the node has handed its worker the tasks it queues behind this one by then
        System.exit(1);
        return 0;
    }

    static String smallWithAttempt(int i) {
        return i + "@" + Sonde.context().attemptNumber();
    }

    /**
     * A worker that exits while it runs one task, with tasks submitted at once after it, some of
     * which the node may have queued behind it on that worker. What must not be lost: the tasks
     * behind the crashing one never started, so the crash is not theirs; each of them runs (on
     * another worker, or a new one) and returns its value, at its first attempt, though none may
     * be retried. Only the task that called System.exit fails, and with the worker-crash failure
     * that names it.
     */
    @Test
    void aWorkerCrashFailsOnlyTheTaskItRanAndTheTasksQueuedBehindItStillReturn() {
        ObjectRef<Integer> crasher = Sonde.task(PipelinedTasksTest::quit).name("crasher").maxRetries(0).remote();
        List<ObjectRef<String>> others = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            others.add(Sonde.task(PipelinedTasksTest::smallWithAttempt, i).name("after-crasher").maxRetries(0).remote());
        }

        Throwable crash = catchThrowable(() -> Sonde.get(crasher, ALL_DONE));
        assertThat(crash).isInstanceOf(WorkerCrashedException.class);
        assertThat(crash.getMessage()).contains("task crasher").contains("called System.exit(1)");

        List<String> expected = IntStream.range(0, 20).mapToObj(i -> i + "@0").toList();
        assertThat(Sonde.get(others, ALL_DONE)).containsExactlyElementsOf(expected);
        assertThat(others).allSatisfy(r -> assertThat(cluster.taskInfo(r)).hasValueSatisfying(t -> {
            assertThat(t.getState()).isEqualTo(TaskInfo.State.FINISHED);
            assertThat(t.getErrorType()).isEmpty();
        }));
    }
}
