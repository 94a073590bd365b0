package io.sonde.internal.worker;

import io.grpc.stub.StreamObserver;
import io.sonde.RuntimeContext;
import io.sonde.TaskException;
import io.sonde.function.FunctionInvoker;
import io.sonde.internal.client.SerializedObserver;
import io.sonde.internal.proto.Arg;
import io.sonde.internal.proto.NodeManagerGrpc;
import io.sonde.internal.proto.ObjectValue;
import io.sonde.internal.proto.TaskDone;
import io.sonde.internal.proto.TaskKind;
import io.sonde.internal.proto.TaskSpec;
import io.sonde.internal.proto.WorkerCommand;
import io.sonde.internal.proto.WorkerHello;
import io.sonde.internal.proto.WorkerMessage;
import io.sonde.internal.serialization.RemoteExceptionCopy;
import io.sonde.internal.serialization.SerializationException;
import io.sonde.internal.serialization.Serializer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs the tasks the node manager sends to this worker, one at a time and in arrival order, on
 * one thread ("sonde-task"); an actor's instance lives here between its calls.
 *
 * <p>Before each task whose name differs from the last one, a marker line
 * {@code :task_name:NAME} goes to stdout and stderr, so the node's log pump knows which task
 * printed the lines that follow. An exception thrown by the user's code becomes a
 * {@link TaskException} whose message says where it ran and whose cause is the user's exception.
 */
final class TaskExecutor {
    private static final String MARKER = ":task_name:";
    private static final int FUNCTION_CACHE_SIZE = 256;

    private final String workerId;
    private final String nodeId;
    private final String nodeIp;
    private final long pid = ProcessHandle.current().pid();
    private final ExecutorService taskThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "sonde-task"));
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Map<String, Object> functions = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Object> eldest) {
            return size() > FUNCTION_CACHE_SIZE;
        }
    };
    private StreamObserver<WorkerMessage> up;
    private volatile TaskSpec current;
    private volatile TaskSpec lastActorSpec;
    private Thread runner;
    private Object actor;
    private String lastMarker = "";
    private ClassLoader jobLoader = ClassLoader.getSystemClassLoader();

    TaskExecutor(String workerId, String nodeId, String nodeIp) {
        this.workerId = workerId;
        this.nodeId = nodeId;
        this.nodeIp = nodeIp;
    }

    /** The loader of the job's classes; set before {@link #serve}. */
    void jobLoader(ClassLoader loader) {
        this.jobLoader = loader;
    }

    /** Serves until the node manager ends the stream. */
    void serve(NodeManagerGrpc.NodeManagerStub stub) throws InterruptedException {
        up = new SerializedObserver<>(stub.attach(new StreamObserver<>() {
            @Override
            public void onNext(WorkerCommand c) {
                switch (c.getBodyCase()) {
                    case EXECUTE -> taskThread.execute(() -> execute(c.getExecute()));
                    case INTERRUPT -> interrupt(c.getInterrupt().getTaskId());
                    case EXIT -> finished.countDown();
                    default -> {
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                finished.countDown();
            }

            @Override
            public void onCompleted() {
                finished.countDown();
            }
        }));
        up.onNext(WorkerMessage.newBuilder().setHello(WorkerHello.newBuilder()
                .setWorkerId(workerId).setPid(pid)).build());
        finished.await();
    }

    private synchronized void interrupt(String taskId) {
        TaskSpec t = current;
        if (t != null && t.getTaskId().equals(taskId) && runner != null) {
            runner.interrupt();
        }
    }

    String currentTaskId() {
        TaskSpec t = current;
        return t == null ? "" : t.getTaskId();
    }

    RuntimeContext context() {
        TaskSpec t = current != null ? current : lastActorSpec;
        if (t == null) {
            return new RuntimeContext("", "", nodeId, pid, 0, "");
        }
        return new RuntimeContext(t.getTaskId(), t.getActorId(), nodeId, pid, t.getAttempt(), t.getName());
    }

    private void execute(TaskSpec spec) {
        synchronized (this) {
            current = spec;
            runner = Thread.currentThread();
        }
        if (spec.getKind() != TaskKind.NORMAL) {
            lastActorSpec = spec;
        }
        mark(spec.getKind() == TaskKind.NORMAL ? spec.getName() : spec.getActorClass());
        ObjectValue result;
        List<String> exceptionClasses = List.of();
        ClassLoader loader = jobLoader;
        Thread.currentThread().setContextClassLoader(loader);
        try {
            applyStatics(spec, loader);
            Object fn = function(spec, loader);
            Object[] args = new Object[spec.getArgsCount()];
            for (int i = 0; i < args.length; i++) {
                Arg a = spec.getArgs(i);
                args[i] = Serializer.decode(a.getValue().getData(), loader);
            }
            Object value;
            switch (spec.getKind()) {
                case ACTOR_CREATION -> {
                    actor = FunctionInvoker.invoke(fn, args);
                    value = null;
                }
                case ACTOR_METHOD -> value = FunctionInvoker.invokeOn(fn, actor, args);
                default -> value = FunctionInvoker.invoke(fn, args);
            }
            result = returnValue(spec, value);
        } catch (Throwable e) {
            result = failure(spec, e);
            exceptionClasses = hierarchy(e);
        } finally {
            synchronized (this) {
                current = null;
                runner = null;
            }
            Thread.interrupted();
        }
        System.out.flush();
        System.err.flush();
        up.onNext(WorkerMessage.newBuilder().setDone(TaskDone.newBuilder()
                .setTaskId(spec.getTaskId()).setAttempt(spec.getAttempt()).setResult(result)
                .addAllExceptionClasses(exceptionClasses)).build());
    }

    /** Sets the driver-side static state the task reads (the shell's top-level variables). */
    private static void applyStatics(TaskSpec spec, ClassLoader loader) throws ReflectiveOperationException {
        for (io.sonde.internal.proto.StaticValue s : spec.getStaticsList()) {
            java.lang.reflect.Field f = Class.forName(s.getClassName(), true, loader).getDeclaredField(s.getField());
            f.setAccessible(true);
            f.set(null, Serializer.decode(s.getValue().getData(), loader));
        }
    }

    /** Sonde.breakpoint() in a task: register, park, unregister. */
    void breakpoint(io.sonde.internal.client.CoreClient client) {
        TaskSpec spec = current;
        if (spec == null || Thread.currentThread() != runner) {
            return; // not on a task's thread: there is no task to park
        }
        // The frame that called Sonde.breakpoint() is the one the user wants to see.
        StackWalker.StackFrame caller = StackWalker.getInstance().walk(frames -> frames
                .dropWhile(f -> !(f.getClassName().equals("io.sonde.Sonde") && f.getMethodName().equals("breakpoint")))
                .skip(1)
                .findFirst()).orElse(null);
        io.sonde.internal.proto.BreakpointInfo.Builder info = io.sonde.internal.proto.BreakpointInfo.newBuilder()
                .setTaskId(spec.getTaskId()).setTaskName(spec.getName()).setActorId(spec.getActorId())
                .setThreadName(Thread.currentThread().getName());
        if (caller != null) {
            info.setFile(caller.getFileName() == null ? caller.getClassName() : caller.getFileName())
                    .setLine(caller.getLineNumber()).setClassName(caller.getClassName()).setMethod(caller.getMethodName());
        }
        if ("off".equals(System.getProperty("sonde.debugger"))) {
            // No debugger can attach to this worker: parking would only hang the task.
            System.err.println("breakpoint() at " + info.getFile() + ":" + info.getLine()
                    + " ignored: the debugger is off for this cluster (sonde.debugger=off)");
            return;
        }
        client.breakpointHit(info.build());
        try {
            BreakpointPark.park();
        } finally {
            client.breakpointResumed(spec.getTaskId());
        }
    }

    private void mark(String name) {
        if (!name.equals(lastMarker)) {
            lastMarker = name;
            System.out.println(MARKER + name);
            System.err.println(MARKER + name);
        }
    }

    private Object function(TaskSpec spec, ClassLoader loader) {
        String key = spec.getFunctionKey();
        if (key.isEmpty()) {
            return Serializer.decode(spec.getFunction(), loader);
        }
        Object fn = functions.get(key);
        if (fn == null) {
            fn = Serializer.decode(spec.getFunction(), loader);
            functions.put(key, fn);
        }
        return fn;
    }

    private ObjectValue returnValue(TaskSpec spec, Object value) {
        try {
            return Serializer.value(value);
        } catch (SerializationException e) {
            return Serializer.error(new TaskException(where(spec) + " returned a value that cannot be sent back: "
                    + e.getMessage()));
        }
    }

    private ObjectValue failure(TaskSpec spec, Throwable e) {
        String message = where(spec) + " failed: " + e;
        try {
            return Serializer.error(new TaskException(message, e));
        } catch (SerializationException notSerializable) {
            return Serializer.error(new TaskException(message, new RemoteExceptionCopy(e)));
        }
    }

    /** "task square (pid=1234, node=10.0.0.1)" or "actor Counter.increment (pid=1234, actor=...)". */
    private String where(TaskSpec spec) {
        return switch (spec.getKind()) {
            case ACTOR_METHOD -> "actor " + spec.getName() + " (pid=" + pid + ", actor=" + spec.getActorId() + ")";
            case ACTOR_CREATION -> "actor " + spec.getActorClass() + " constructor (pid=" + pid + ", actor="
                    + spec.getActorId() + ")";
            default -> "task " + spec.getName() + " (pid=" + pid + ", node=" + nodeIp + ")";
        };
    }

    private static List<String> hierarchy(Throwable e) {
        List<String> names = new ArrayList<>();
        for (Class<?> c = e.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            names.add(c.getName());
        }
        return names;
    }
}
