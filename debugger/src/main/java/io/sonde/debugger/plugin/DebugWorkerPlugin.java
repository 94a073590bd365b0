package io.sonde.debugger.plugin;

import com.google.protobuf.ByteString;
import io.sonde.debugger.proto.DebugHooks;
import io.sonde.debugger.proto.WorkerCommand;
import io.sonde.debugger.proto.ResultMark;
import io.sonde.debugger.proto.TaskMark;
import io.sonde.spi.WorkerContext;
import io.sonde.spi.WorkerPlugin;
import io.sonde.spi.WorkerTask;

import java.io.IOException;
import java.util.Optional;

/**
 * The debugger in a worker JVM: parks tasks at {@code Sonde.breakpoint()} and at the breakpoints
 * set from the debugger, reports the stops to the node, relays the JDWP tunnels of the debuggers
 * that attach through the node, and acts on the marks {@code remote} and {@code get} leave. Off
 * (it only warns) when no debugger can attach: the cluster runs with {@code sonde.debugger=off},
 * or the worker has no JDWP agent. A worker that cannot take its own JDWP connection as it starts
 * (another process connected to its agent first) exits.
 */
public final class DebugWorkerPlugin implements WorkerPlugin {
    private volatile WorkerDebugger debugger;
    private volatile String off = "";
    private volatile boolean warnedHooks;

    @Override
    public String name() {
        return DebugNodePlugin.NAME;
    }

    @Override
    public void start(WorkerContext context) {
        Optional<String> why = DebuggerSetting.whyOffInWorker();
        if (why.isPresent()) {
            off = why.get();
            return;
        }
        WorkerDebugger d;
        try {
            d = WorkerDebugger.start(context);
        } catch (IOException | RuntimeException e) {
            // whoever holds the agent's connection controls this JVM: run no task under it
            System.err.println("sonde worker: cannot take this worker's own JDWP connection (" + e.getMessage()
                    + "); another process may have connected to its debug agent first. The worker exits"
                    + " rather than run tasks.");
            System.err.flush();
            Runtime.getRuntime().halt(3);
            return;
        }
        debugger = d;
    }

    @Override
    public void command(ByteString payload) {
        WorkerCommand c = Payloads.parse(() -> WorkerCommand.parseFrom(payload));
        WorkerDebugger d = debugger;
        if (c.hasTunnel()) {
            if (d != null) {
                d.tunnel(c.getTunnel());
            }
            return;
        }
        DebugHooks hooks = c.getHooks();
        if (d != null) {
            d.hooks(hooks);
        } else if (!warnedHooks && !io.sonde.debugger.WorkerAgent.isEmpty(hooks)) {
            warnedHooks = true;
            System.err.println("sonde: `break`, `catch` and post-mortem are ignored in this worker: " + off);
        }
    }

    @Override
    public void taskStarting(WorkerTask task) {
        WorkerDebugger d = debugger;
        if (d == null) {
            return;
        }
        d.awaitHooks();
        Optional<ByteString> mark = task.data(name());
        if (mark.isPresent() && Payloads.parse(() -> TaskMark.parseFrom(mark.get())).getBreakAtStart()) {
            d.stopAtStart(task); // the debugger's `remote`
        }
    }

    @Override
    public ByteString taskFinished(WorkerTask task) {
        if (!DebugMarks.takeBreakOnGet(task.taskId())) {
            return null;
        }
        // the debugger's `get`: the caller that receives this result stops after its get
        return ResultMark.newBuilder().setAwaitedTaskId(task.taskId()).build().toByteString();
    }

    @Override
    public boolean breakpoint() {
        WorkerDebugger d = debugger;
        if (d != null) {
            d.breakpoint();
        } else {
            // No debugger can attach to this worker: parking would only hang the task.
            System.err.println("breakpoint" + WorkerDebugger.breakpointCaller()
                    .map(f -> " at " + (f.getFileName() == null ? f.getClassName() : f.getFileName()) + ":" + f.getLineNumber())
                    .orElse("") + " ignored: " + off);
        }
        return true;
    }

    @Override
    public void taskThreadReplaced() {
        WorkerDebugger d = debugger;
        if (d != null) {
            d.taskThreadReplaced();
        }
    }

    @Override
    public void close() {
        WorkerDebugger d = debugger;
        if (d != null) {
            d.close();
        }
    }
}
