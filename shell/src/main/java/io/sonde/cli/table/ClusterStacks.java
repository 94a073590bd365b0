package io.sonde.cli.table;

import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.sonde.profiler.proto.ProcessStacks;
import io.sonde.profiler.proto.ProfilerGrpc;
import io.sonde.profiler.proto.StacksReply;
import io.sonde.profiler.proto.StacksRequest;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code sonde stack} and the shell's {@code /stack}: every thread of every worker of the node,
 * and of its drivers, as {@code ray stack} prints them; each task thread labelled with its task,
 * threads parked at a breakpoint marked.
 */
public final class ClusterStacks {
    /** Beyond the caller's deadline: the node waits up to 5 s for each process before it names it as silent. */
    static final Duration NODE_WAIT = Duration.ofSeconds(5);

    private ClusterStacks() {
    }

    /**
     * @throws IllegalStateException the node runs without the profiler; the message says so
     */
    public static void print(Channel channel, String address, Duration deadline, PrintWriter out) {
        StacksReply reply;
        try {
            reply = ProfilerGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.plus(NODE_WAIT).toMillis(),
                    TimeUnit.MILLISECONDS).stacks(StacksRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == io.grpc.Status.Code.UNIMPLEMENTED) {
                throw new IllegalStateException("The node at " + address + " runs without the profiler, which reads the"
                        + " stacks: sonde-profiler is not on its classpath. Start it with `sonde start` or `sonde run`.");
            }
            throw e;
        }
        if (reply.getProcessesCount() == 0) {
            out.println("The cluster at " + address + " runs no worker and no driver now: no stacks to show.");
            out.flush();
            return;
        }
        out.println("Stacks of the cluster at " + address + ": " + reply.getProcessesCount() + " processes.");
        for (ProcessStacks p : reply.getProcessesList()) {
            out.println();
            out.println("=== " + p.getWho() + " ===");
            p.getText().lines().forEach(out::println); // line by line: the shell prefixes each
        }
        out.flush();
    }
}
