package io.sonde.cli.table;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.sonde.profiler.proto.LeakSuspect;
import io.sonde.profiler.proto.LeaksReply;
import io.sonde.profiler.proto.LeaksRequest;
import io.sonde.profiler.proto.ProfilerGrpc;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;

/**
 * {@code sonde memory --leaks}: the workers the node suspected of leaking memory, oldest first,
 * each with what grew, the profile it took and where its report and flame graph are.
 */
public final class LeakList {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private LeakList() {
    }

    /** @throws IllegalStateException the node could not be asked; the message says why */
    public static void run(Channel channel, String address, Duration deadline, PrintWriter out) {
        LeaksReply reply;
        try {
            reply = ProfilerGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
                    .leaks(LeaksRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
                throw new IllegalStateException("The node at " + address + " runs without the profiler, which looks"
                        + " for leaks: sonde-profiler is not on its classpath. Start it with `sonde start` or `sonde run`.");
            }
            throw new IllegalStateException("The node at " + address + " did not list its leak suspects: "
                    + e.getStatus().getDescription());
        }
        print(out, address, reply);
    }

    static void print(PrintWriter out, String address, LeaksReply reply) {
        if (reply.getSuspectsCount() == 0) {
            out.println("No leak suspects on the node at " + address + ": no worker's memory kept growing. The node's"
                    + " rule (a job's profiler.leak.* options may change it): " + reply.getSettings() + ".");
            out.flush();
            return;
        }
        out.println(reply.getSuspectsCount() + " leak suspect" + (reply.getSuspectsCount() == 1 ? "" : "s")
                + " on the node at " + address + ", oldest first:");
        for (LeakSuspect s : reply.getSuspectsList()) {
            String at = LocalDateTime.ofInstant(Instant.ofEpochMilli(s.getAtMs()), ZoneId.systemDefault()).format(TIME);
            out.println();
            out.println("worker " + s.getWorkerId() + " (pid " + s.getPid() + (s.getWork().isEmpty() ? "" : ", "
                    + s.getWork()) + ")" + (s.getExited() ? ", exited since" : "") + ": " + s.getGrowth() + ", at " + at);
            out.println("  rule: " + s.getRule());
            switch (s.getState()) {
                case "profiling" -> out.println("  profiling it now (" + s.getEvent() + ")");
                case "failed" -> out.println("  its profile (" + s.getEvent() + ") failed: " + s.getError());
                default -> {
                    out.println("  profile: " + s.getEvent());
                    out.println("  report: " + s.getReport());
                    out.println("  flame graph: " + s.getFlameGraph());
                    out.println("  its driver was told: " + s.getNotice());
                }
            }
        }
        out.flush();
    }
}
