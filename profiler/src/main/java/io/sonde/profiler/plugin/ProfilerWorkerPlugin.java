package io.sonde.profiler.plugin;

import com.google.protobuf.ByteString;
import io.sonde.profiler.ProcessProfiler;
import io.sonde.profiler.proto.WorkerCommand;
import io.sonde.profiler.proto.WorkerEvent;
import io.sonde.spi.WorkerContext;
import io.sonde.spi.WorkerPlugin;

import java.util.Optional;

/**
 * The profiler in a worker JVM: runs the node's profile, stack and heap requests in-process
 * (async-profiler is loaded into the worker itself, no JDK Attach API), on its own thread; and
 * tells the node the heap in use after each garbage collection ({@link GcWatch}), from which the
 * node spots a leak.
 */
public final class ProfilerWorkerPlugin implements WorkerPlugin {
    private volatile ProcessProfiler profiler;
    private volatile GcWatch gcs;

    @Override
    public String name() {
        return ProfilerNodePlugin.NAME;
    }

    @Override
    public void start(WorkerContext context) {
        long pid = ProcessHandle.current().pid();
        profiler = new ProcessProfiler(new ProcessProfiler.Host() {
            @Override
            public String describe() {
                return "worker " + context.workerId() + " (pid " + pid + ")";
            }

            @Override
            public String fileLabel() {
                return "worker-" + context.workerId();
            }

            @Override
            public void send(WorkerEvent event) {
                context.sendToNode(event.toByteString());
            }

            @Override
            public Optional<String> taskLabel(Thread thread) {
                if (!thread.getName().startsWith(WorkerContext.TASK_THREAD)) {
                    return Optional.empty();
                }
                return context.taskOn(thread).map(t -> (t.actorId().isEmpty() ? "task " : "actor task ") + t.name()
                        + " (task id " + t.taskId() + ")");
            }
        });
        // the heap after each collection, for the node's leak detection (profiler.leak.* options)
        gcs = new GcWatch(gc -> context.sendToNode(WorkerEvent.newBuilder().setGc(gc).build().toByteString()));
    }

    @Override
    public void command(ByteString payload) {
        ProcessProfiler p = profiler;
        if (p != null) {
            p.command(Payloads.parse(() -> WorkerCommand.parseFrom(payload)));
        }
    }

    @Override
    public void close() {
        GcWatch g = gcs;
        if (g != null) {
            g.close();
        }
        ProcessProfiler p = profiler;
        if (p != null) {
            p.close();
        }
    }
}
