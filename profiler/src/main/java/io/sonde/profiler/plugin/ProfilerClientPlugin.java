package io.sonde.profiler.plugin;

import com.google.protobuf.ByteString;
import io.sonde.profiler.ProcessProfiler;
import io.sonde.profiler.proto.WorkerCommand;
import io.sonde.profiler.proto.WorkerEvent;
import io.sonde.spi.ClientContext;
import io.sonde.spi.ClientPlugin;

import java.util.Optional;

/**
 * The profiler in a driver ({@code sonde profile driver}): runs the node's requests in the
 * driver's JVM as the worker's part does in a worker; and prints the node's notices to the driver
 * (a memory leak suspected in one of its workers). In a worker's own client it does nothing: the
 * worker's part serves that JVM.
 */
public final class ProfilerClientPlugin implements ClientPlugin {
    private volatile ProcessProfiler profiler;
    private volatile ClientContext context;

    @Override
    public String name() {
        return ProfilerNodePlugin.NAME;
    }

    @Override
    public void start(ClientContext context) {
        this.context = context;
        if (context.isWorker()) {
            return;
        }
        long pid = ProcessHandle.current().pid();
        profiler = new ProcessProfiler(new ProcessProfiler.Host() {
            @Override
            public String describe() {
                return "the driver (pid " + pid + ")";
            }

            @Override
            public String fileLabel() {
                return "driver-" + pid;
            }

            @Override
            public void send(WorkerEvent event) {
                context.sendToNode(event.toByteString());
            }

            @Override
            public Optional<String> taskLabel(Thread thread) {
                return Optional.empty();
            }
        });
    }

    @Override
    public void nodeMessage(ByteString payload) {
        WorkerCommand c = Payloads.parse(() -> WorkerCommand.parseFrom(payload));
        ClientContext ctx = context;
        if (c.hasNotice()) {
            if (ctx != null) { // the node's line, printed as its other lines: (node-manager) ...
                ctx.notice("node-manager", 0, ctx.nodeIp(), c.getNotice());
            }
            return;
        }
        ProcessProfiler p = profiler;
        if (p != null) {
            p.command(c);
        }
    }

    @Override
    public void close() {
        ProcessProfiler p = profiler;
        if (p != null) {
            p.close();
        }
    }
}
