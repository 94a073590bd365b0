package io.sonde;

import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TasksTest {
    @RegisterExtension
    // idle workers beyond the CPUs go after 2 s here, not 10: the reaping test waits for them
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2)
            .property(io.sonde.internal.node.worker.WorkerPool.IDLE_TIMEOUT_PROPERTY, "2000");

    static int square(int x) {
        return x * x;
    }

    static int fib(int n) throws Exception {
        if (n < 2) {
            return n;
        }
        ObjectRef<Integer> a = Sonde.task(TasksTest::fib, n - 1).remote();
        ObjectRef<Integer> b = Sonde.task(TasksTest::fib, n - 2).remote();
        return Sonde.get(a) + Sonde.get(b);
    }

    @Test
    void objectRefArgumentsAreResolvedBeforeTheTaskRuns() {
        ObjectRef<Integer> a = Sonde.task(() -> 1).remote();
        ObjectRef<Integer> b = Sonde.task((Integer x) -> x + 1, a).remote();
        assertThat(Sonde.get(b)).isEqualTo(2);
    }

    @Test
    void methodReferenceTaskRunsOnAWorkerProcess() {
        ObjectRef<Long> pid = Sonde.task(() -> ProcessHandle.current().pid()).remote();
        assertThat(Sonde.get(Sonde.task(TasksTest::square, 7).name("square").maxRetries(3).remote())).isEqualTo(49);
        assertThat(Sonde.get(pid)).isNotEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void taskBodyMayThrowCheckedExceptions() {
        assertThat(Sonde.get(Sonde.task(() -> {
            Thread.sleep(10);
            return "slept";
        }).remote())).isEqualTo("slept");
    }

    @Test
    void contextTellsTaskNameAttemptAndPid() {
        RuntimeContext ctx = Sonde.get(Sonde.task(() -> Sonde.context()).name("where").remote());
        assertThat(ctx.taskName()).isEqualTo("where");
        assertThat(ctx.attemptNumber()).isZero();
        assertThat(ctx.workerPid()).isNotEqualTo(ProcessHandle.current().pid());
        assertThat(ctx.taskId()).isNotEmpty();
        assertThat(ctx.actorId()).isEmpty();
        assertThat(Sonde.context().taskName()).isEqualTo("driver");
    }

    @Test
    void fiftyMegabyteValueIsPutPassedToATaskAndReadBack() {
        byte[] big = new byte[50 * 1024 * 1024];
        Arrays.fill(big, (byte) 7);
        big[big.length - 1] = 42;
        ObjectRef<byte[]> ref = Sonde.put(big);
        ObjectRef<byte[]> doubled = Sonde.task((byte[] b) -> {
            byte[] c = b.clone();
            c[0] = 1;
            return c;
        }, ref).remote();
        byte[] back = Sonde.get(doubled);
        assertThat(back).hasSize(big.length);
        assertThat(back[0]).isEqualTo((byte) 1);
        assertThat(back[back.length - 1]).isEqualTo((byte) 42);
        assertThat(Sonde.get(ref)).isEqualTo(big);
    }

    @Test
    void getWithTimeoutNamesTheRefAndHowLongItWaited() {
        ObjectRef<Integer> slow = Sonde.task(() -> {
            Thread.sleep(5_000);
            return 1;
        }).remote();
        assertThatThrownBy(() -> Sonde.get(slow, Duration.ofMillis(200)))
                .isInstanceOf(GetTimeoutException.class)
                .hasMessageContaining(slow.id())
                .hasMessageContaining("ms");
        Sonde.cancel(slow);
    }

    @Test
    void getOfAListKeepsOrderAndWaitSplitsReadyFromUnready() {
        List<ObjectRef<Integer>> refs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            refs.add(Sonde.task((Integer x) -> x * 2, i).remote());
        }
        assertThat(Sonde.get(refs)).containsExactly(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38);

        ObjectRef<Integer> fast = Sonde.task(() -> 1).remote();
        ObjectRef<Integer> slow = Sonde.task(() -> {
            Thread.sleep(10_000);
            return 2;
        }).remote();
        WaitResult<Integer> w = Sonde.wait(List.of(slow, fast), 1, Duration.ofSeconds(20));
        assertThat(w.ready()).containsExactly(fast);
        assertThat(w.unready()).containsExactly(slow);
        WaitResult<Integer> timedOut = Sonde.wait(List.of(slow), 1, Duration.ofMillis(100));
        assertThat(timedOut.ready()).isEmpty();
        Sonde.cancel(slow);
    }

    @Test
    void nestedTasksDoNotDeadlockAFullNode() {
        // fib(6) keeps many more tasks blocked in get than the node has CPUs.
        assertThat(Sonde.get(Sonde.task(TasksTest::fib, 6).remote(), Duration.ofSeconds(120))).isEqualTo(8);
    }

    @Test
    void idleWorkersBeyondTheNodesCpusExitAfterAWhile() {
        List<ObjectRef<Integer>> blocked = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            // each waits on a child, lending its CPU, so the node starts more workers than CPUs
            blocked.add(Sonde.task(() -> Sonde.get(Sonde.task(() -> {
                Thread.sleep(300);
                return 1;
            }).remote())).remote());
        }
        Sonde.get(blocked, Duration.ofSeconds(120));
        var node = cluster.nodeManager();
        assertThat(node.listWorkers()).hasSizeGreaterThan(2);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> node.listWorkers().stream().filter(w -> w.getActorId().isEmpty()).count() <= 2);
    }

    @Test
    void refsInsideValuesCanBeReadByOtherTasks() {
        ObjectRef<String> inner = Sonde.put("inside");
        ObjectRef<List<ObjectRef<String>>> outer = Sonde.put(List.of(inner));
        ObjectRef<String> read = Sonde.task((List<ObjectRef<String>> l) -> Sonde.get(l.get(0)) + "!", outer).remote();
        assertThat(Sonde.get(read)).isEqualTo("inside!");
    }

    @Test
    void badOptionsAreRejectedWithTheFix() {
        assertThatThrownBy(() -> Sonde.task(() -> 1).maxRetries(-2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRetries must be -1");
        assertThatThrownBy(() -> Sonde.wait(List.of(Sonde.put(1)), 3, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("numReturns");
        assertThatThrownBy(() -> Sonde.task((Thread t) -> 1, new Thread()).remote())
                .hasMessageContaining("argument 0")
                .hasMessageContaining("java.lang.Thread");
    }

    @Test
    void everySchedulingStrategyRunsOnTheOneNodeButAHardAffinityToAnotherNodeFailsAtOnce() {
        String here = Sonde.context().nodeId();
        assertThat(Sonde.get(Sonde.task(() -> Sonde.context().nodeId()).scheduling(SchedulingStrategy.SPREAD).remote()))
                .isEqualTo(here);
        assertThat(Sonde.get(Sonde.task(() -> Sonde.context().nodeId())
                .scheduling(SchedulingStrategy.nodeAffinity(here, false)).remote())).isEqualTo(here);
        // soft: the node is not there, so the default placement runs it
        assertThat(Sonde.get(Sonde.task(() -> Sonde.context().nodeId())
                .scheduling(SchedulingStrategy.nodeAffinity("no-such-node", true)).remote())).isEqualTo(here);

        ObjectRef<Integer> pinned = Sonde.task(() -> 1).name("pinned")
                .scheduling(SchedulingStrategy.nodeAffinity("no-such-node", false)).remote();
        assertThatThrownBy(() -> Sonde.get(pinned, Duration.ofSeconds(10)))
                .isInstanceOf(SondeException.class)
                .hasMessageContaining("task pinned")
                .hasMessageContaining("cannot be scheduled: its scheduling strategy nodeAffinity(no-such-node, soft=false)"
                        + " names a node that is not in this cluster (its nodes: " + here + ")")
                .hasMessageContaining("soft=true");
        assertThatThrownBy(() -> SchedulingStrategy.nodeAffinity(" ", true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a node id");
    }

    @Test
    void taskNeedingMoreThanAnyNodeHasFailsAtOnceSayingWhatIsMissing() {
        ObjectRef<Integer> gpu = Sonde.task(() -> 1).resource("GPU", 1).name("train").remote();
        assertThatThrownBy(() -> Sonde.get(gpu, Duration.ofSeconds(10)))
                .isInstanceOf(SondeException.class)
                .hasMessageContaining("task train")
                .hasMessageContaining("cannot be scheduled")
                .hasMessageContaining("GPU: 1")
                .hasMessageContaining("CPU: 2");
        ObjectRef<Integer> huge = Sonde.task(() -> 1).memory(Long.MAX_VALUE / 2).remote();
        assertThatThrownBy(() -> Sonde.get(huge, Duration.ofSeconds(10))).hasMessageContaining("memory");
    }

    @Test
    void aFunctionThatCapturesTooMuchIsRefusedAndALargeOneIsWarnedAboutOnce() {
        byte[] huge = new byte[101 << 20];
        assertThatThrownBy(() -> Sonde.task(() -> huge.length).name("greedy").remote())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the function of task greedy is too large to send to a worker: 101.0 MiB")
                .hasMessageContaining("over the limit of 100.0 MiB")
                .hasMessageContaining("Sonde.put");
        byte[] big = new byte[12 << 20];
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(err, true));
        try {
            for (int i = 0; i < 2; i++) {
                assertThat(Sonde.get(Sonde.task(() -> big.length).name("heavy").remote())).isEqualTo(12 << 20);
            }
        } finally {
            System.setErr(saved);
        }
        assertThat(err.toString()).containsOnlyOnce("the function of task heavy is very large: 12.0 MiB");
    }

    @Test
    void byteBuffersHeapAndDirectAreArgumentsAndResults() {
        java.nio.ByteBuffer heap = java.nio.ByteBuffer.wrap("heap bytes".getBytes());
        java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(1 << 20);
        for (int i = 0; i < direct.capacity(); i++) {
            direct.put(i, (byte) i);
        }
        ObjectRef<Integer> sums = Sonde.task((java.nio.ByteBuffer a, java.nio.ByteBuffer b) -> {
            int sum = 0;
            for (int i = 0; i < b.remaining(); i++) {
                sum += b.get(b.position() + i);
            }
            return a.remaining() * 1_000_000 + sum;
        }, heap, direct).remote();
        int expected = 0;
        for (int i = 0; i < direct.capacity(); i++) {
            expected += (byte) i;
        }
        assertThat(Sonde.get(sums)).isEqualTo(10 * 1_000_000 + expected);

        ObjectRef<java.nio.ByteBuffer> small = Sonde.task(() -> java.nio.ByteBuffer.wrap(new byte[]{1, 2, 3})).remote();
        assertThat(Sonde.get(small)).isEqualTo(java.nio.ByteBuffer.wrap(new byte[]{1, 2, 3}));
        ObjectRef<java.nio.ByteBuffer> large = Sonde.task(() -> {
            java.nio.ByteBuffer d = java.nio.ByteBuffer.allocateDirect(2 << 20);
            d.put(0, (byte) 7).put((2 << 20) - 1, (byte) 9);
            return d;
        }).remote();
        java.nio.ByteBuffer got = Sonde.get(large);
        assertThat(got.remaining()).isEqualTo(2 << 20);
        assertThat(got.get(got.position())).isEqualTo((byte) 7);
        assertThat(got.get(got.position() + (2 << 20) - 1)).isEqualTo((byte) 9);
    }

    @Test
    void memoryIsAdmissionControlled() {
        long third = cluster.nodeManager().config().memory() / 3;
        // Two tasks asking for a third of the node's memory each fit together; a third one waits.
        List<ObjectRef<Long>> refs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            refs.add(Sonde.task(() -> {
                long start = System.currentTimeMillis();
                Thread.sleep(1500);
                return start;
            }).memory(third + 1).numCpus(0).remote());
        }
        List<Long> starts = Sonde.get(refs, Duration.ofSeconds(60));
        long first = Math.min(starts.get(0), starts.get(1));
        assertThat(starts.get(2) - first).isGreaterThanOrEqualTo(1000);
    }
}
