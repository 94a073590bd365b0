package io.sonde.internal.node;

import io.grpc.stub.StreamObserver;
import io.sonde.internal.node.worker.LaunchRequest;
import io.sonde.internal.node.worker.WorkerHandle;
import io.sonde.internal.node.worker.WorkerLauncher;
import io.sonde.internal.node.worker.WorkerOutput;
import io.sonde.proto.ObjectValue;
import io.sonde.proto.TaskDone;
import io.sonde.proto.TaskSpec;
import io.sonde.proto.WorkerCommand;
import io.sonde.proto.WorkerHello;
import io.sonde.proto.WorkerMessage;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;

/**
 * Workers that run in the test's JVM, like Ray's fake worker pool: no process is started. Each
 * fake says hello on the node's Attach stream as a real worker does, records the commands it
 * gets, and the test completes its tasks, fails them, or "crashes" the worker with an exit code.
 *
 * <p>Thread-safe. Hellos go out on the launcher's own thread, never on the node's (it launches
 * under its lock).
 */
final class FakeWorkerLauncher implements WorkerLauncher {
    /** Fakes answer in microseconds: look often. */
    static final java.time.Duration POLL = java.time.Duration.ofMillis(5);
    /** What a fake does once launched. */
    enum Start {
        /** Says hello and takes tasks. */
        HELLO,
        /** Never says hello (a JVM that is slow to start). */
        SILENT,
        /** Exits with code 1 before its hello (a bad classpath or JVM option). */
        EXIT_BEFORE_HELLO
    }

    private final Path logDir;
    private final List<FakeWorker> launched = new CopyOnWriteArrayList<>();
    private final AtomicLong pids = new AtomicLong(90_000);
    private final ExecutorService hellos = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fake-worker-hello");
        t.setDaemon(true);
        return t;
    });
    private volatile NodeManager node;
    private volatile Start start = Start.HELLO;
    /** While set, launch does not return: a launcher stuck under the node's lock. */
    private volatile java.util.concurrent.CountDownLatch launchGate;

    FakeWorkerLauncher(Path logDir) {
        this.logDir = logDir;
    }

    /** The node the fakes say hello to; set once it is built. */
    void node(NodeManager node) {
        this.node = node;
    }

    /** What the workers launched from now on do. */
    void start(Start start) {
        this.start = start;
    }

    /** Launches from now on hang until the latch opens (they still count as launched). */
    void hangLaunchesUntil(java.util.concurrent.CountDownLatch gate) {
        this.launchGate = gate;
    }

    @Override
    public WorkerHandle launch(LaunchRequest request, WorkerOutput output) {
        long pid = pids.incrementAndGet();
        FakeWorker w = new FakeWorker(request.workerId(), pid, hellos, logDir.resolve("worker-" + request.workerId() + "-" + pid + ".out"),
                logDir.resolve("worker-" + request.workerId() + "-" + pid + ".err"));
        launched.add(w);
        java.util.concurrent.CountDownLatch gate = launchGate;
        if (gate != null) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Start s = start;
        hellos.execute(() -> {
            switch (s) {
                case HELLO -> w.hello(node);
                case EXIT_BEFORE_HELLO -> w.crash(1);
                case SILENT -> {
                }
            }
        });
        return w;
    }

    List<FakeWorker> launched() {
        return List.copyOf(launched);
    }

    /** The n-th worker launched (from 0), once it is. */
    FakeWorker worker(int n) {
        await().pollInterval(POLL).atMost(5, TimeUnit.SECONDS).until(() -> launched.size() > n);
        return launched.get(n);
    }

    /** The worker that receives the task (the execute command for it), once one does. */
    FakeWorker runnerOf(String taskId) {
        return runnerOf(taskId, 0);
    }

    /** The worker that receives the given attempt of the task, once one does. */
    FakeWorker runnerOf(String taskId, int attempt) {
        return await().pollInterval(POLL).atMost(5, TimeUnit.SECONDS).until(() -> launched.stream()
                .filter(w -> w.received(taskId) != null && w.received(taskId).getAttempt() == attempt)
                .reduce((a, b) -> b).orElse(null), w -> w != null);
    }

    /** An in-process worker. */
    static final class FakeWorker implements WorkerHandle {
        private final String workerId;
        private final long pid;
        private final Path outLog;
        private final Path errLog;
        private final long startedAtMillis = System.currentTimeMillis();
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();
        private final ExecutorService transport;
        private final List<WorkerCommand> commands = new CopyOnWriteArrayList<>();
        private final List<TaskDone> journal = new CopyOnWriteArrayList<>();
        private volatile StreamObserver<WorkerMessage> up;
        private volatile boolean streamCompleted;
        /** The worker's stream to the node ended (see {@link #endStream}). */
        private volatile boolean streamEnded;

        FakeWorker(String workerId, long pid, ExecutorService transport, Path outLog, Path errLog) {
            this.workerId = workerId;
            this.transport = transport;
            this.pid = pid;
            this.outLog = outLog;
            this.errLog = errLog;
        }

        void hello(NodeManager node) {
            up = node.attach(new StreamObserver<>() {
                @Override
                public void onNext(WorkerCommand c) {
                    commands.add(c);
                    if (c.hasExit()) {
                        // a real worker finishes its stream and its process ends with 0
                        crash(0);
                    }
                }

                @Override
                public void onError(Throwable t) {
                    streamCompleted = true;
                }

                @Override
                public void onCompleted() {
                    streamCompleted = true;
                }
            });
            up.onNext(WorkerMessage.newBuilder().setHello(WorkerHello.newBuilder().setWorkerId(workerId).setPid(pid)).build());
        }

        /** The execute command of the task this worker got last, or null. */
        TaskSpec received(String taskId) {
            TaskSpec last = null;
            for (WorkerCommand c : commands) {
                if (c.hasExecute() && c.getExecute().getTaskId().equals(taskId)) {
                    last = c.getExecute();
                }
            }
            return last;
        }

        /** Waits for the task's execute command and returns it. */
        TaskSpec awaitTask(String taskId) {
            return await().pollInterval(POLL).atMost(5, TimeUnit.SECONDS).until(() -> received(taskId), s -> s != null);
        }

        List<WorkerCommand> commands() {
            return List.copyOf(commands);
        }

        boolean interrupted(String taskId) {
            return commands.stream().anyMatch(c -> c.hasInterrupt() && c.getInterrupt().getTaskId().equals(taskId));
        }

        /** Returns the task's result, for the attempt it received last. */
        void complete(String taskId, ObjectValue result, String... exceptionClasses) {
            TaskSpec spec = awaitTask(taskId);
            up.onNext(WorkerMessage.newBuilder().setDone(TaskDone.newBuilder().setTaskId(taskId)
                    .setAttempt(spec.getAttempt()).setResult(result).addAllExceptionClasses(List.of(exceptionClasses)))
                    .build());
        }

        /**
         * Keeps the task's result in the worker's journal without sending it, as a real worker
         * does just before it sends one: {@link #send} delivers it, a crash before that leaves it
         * for the node to read from the journal.
         */
        TaskDone journal(String taskId, ObjectValue result) {
            TaskSpec spec = awaitTask(taskId);
            TaskDone done = TaskDone.newBuilder().setTaskId(taskId).setAttempt(spec.getAttempt()).setResult(result)
                    .build();
            journal.add(done);
            return done;
        }

        /** Gives tasks queued here back unrun, as a real worker does when its running task blocks or at a cancel. */
        void giveBack(io.sonde.proto.TasksReturned.Reason reason, String... taskIds) {
            io.sonde.proto.TasksReturned.Builder r = io.sonde.proto.TasksReturned.newBuilder().setReason(reason);
            for (String id : taskIds) {
                r.addTasks(io.sonde.proto.TaskTaken.newBuilder().setTaskId(id).setAttempt(awaitTask(id).getAttempt()));
            }
            up.onNext(WorkerMessage.newBuilder().setReturned(r).build());
        }

        /** Whether the node asked this worker to give the queued task back, for an idle worker. */
        boolean askedToGiveBack(String taskId) {
            return commands.stream().anyMatch(c -> c.hasGiveBack() && c.getGiveBack().getTasksList().stream()
                    .anyMatch(t -> t.getTaskId().equals(taskId)));
        }

        /** How many times the worker was sent the task (any attempt). */
        long timesReceived(String taskId) {
            return commands.stream().filter(c -> c.hasExecute() && c.getExecute().getTaskId().equals(taskId)).count();
        }

        /** Sends a result kept with {@link #journal}. */
        void send(TaskDone done) {
            up.onNext(WorkerMessage.newBuilder().setDone(done).build());
        }

        @Override
        public List<TaskDone> journaledResults() {
            return List.copyOf(journal);
        }

        /**
         * The process ends with the exit code (128 + n for signal n), as the JVM reports it, and
         * then its stream to the node breaks, as a real one's does when the kernel closes its
         * socket (on the transport's thread, never the caller's).
         */
        void crash(int exitCode) {
            exit.complete(exitCode);
            transport.execute(this::endStream);
        }

        /**
         * The process ends, but its stream has not delivered what it sent yet: results the test
         * sends with {@link #complete} from now on are the ones still on their way, until
         * {@link #endStream}.
         */
        void exitBeforeStreamEnds(int exitCode) {
            exit.complete(exitCode);
        }

        /** The worker's stream to the node breaks: after it, the node has every message it sent. */
        synchronized void endStream() {
            StreamObserver<WorkerMessage> u = up;
            if (u != null && !streamEnded) {
                streamEnded = true;
                u.onError(new java.io.IOException("the worker's connection was closed"));
            }
        }

        boolean exited() {
            return exit.isDone();
        }

        boolean streamCompleted() {
            return streamCompleted;
        }

        @Override
        public String workerId() {
            return workerId;
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public Path outLog() {
            return outLog;
        }

        @Override
        public Path errLog() {
            return errLog;
        }

        @Override
        public long startedAtMillis() {
            return startedAtMillis;
        }

        @Override
        public CompletableFuture<Integer> exit() {
            return exit;
        }

        @Override
        public boolean awaitExit(long timeout, TimeUnit unit) throws InterruptedException {
            try {
                exit.get(timeout, unit);
                return true;
            } catch (ExecutionException | TimeoutException e) {
                return exit.isDone();
            }
        }

        @Override
        public void awaitOutput() {
            // nothing is printed: there is no process
        }

        /** SIGKILL: exit code 137. */
        @Override
        public void kill() {
            crash(128 + 9);
        }
    }
}
