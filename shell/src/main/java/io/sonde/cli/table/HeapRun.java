package io.sonde.cli.table;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.sonde.profiler.proto.HeapRequest;
import io.sonde.profiler.proto.HeapResult;
import io.sonde.profiler.proto.ProfilerGrpc;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code sonde memory --heap <worker>}: the worker's class histogram (live objects, top classes by
 * bytes and by count), or with {@code --heap-dump FILE} an HPROF dump of its heap, written by the
 * worker itself (so FILE is a path of the worker's machine, which is this one for a local cluster).
 */
public final class HeapRun {
    /** Classes in each table of the histogram. */
    static final int TOP = 20;
    /** A heap dump writes the whole heap: give it time beyond the usual deadline. */
    static final Duration DUMP_TIME = Duration.ofMinutes(5);

    private HeapRun() {
    }

    /**
     * @param dump where to write an HPROF dump, or null for the histogram
     * @throws IllegalArgumentException the worker is not found, or the dump's file cannot be written
     * @throws IllegalStateException    the worker could not answer; the message says why
     */
    public static void run(Channel channel, String address, ProfileTargets.Lists lists, String worker, Path dump,
                           Duration deadline, PrintWriter out) {
        ProfileTargets.Found found = ProfileTargets.find(worker, address, lists);
        HeapRequest.Builder request = HeapRequest.newBuilder().setTarget(found.target()).setTop(TOP);
        if (dump != null) {
            Path file = dump.toAbsolutePath();
            if (Files.exists(file)) {
                throw new IllegalArgumentException(file + " exists already: give a new file for the heap dump (the JVM"
                        + " does not write over one).");
            }
            request.setDumpPath(file.toString());
        }
        HeapResult result;
        try {
            result = ProfilerGrpc.newBlockingStub(channel).withDeadlineAfter((dump == null ? deadline
                    : deadline.plus(DUMP_TIME)).toMillis(), TimeUnit.MILLISECONDS).heap(request.build());
        } catch (StatusRuntimeException e) {
            Status s = e.getStatus();
            if (s.getCode() == Status.Code.UNIMPLEMENTED) {
                throw new IllegalStateException("The node at " + address + " runs without the profiler, which reads the"
                        + " heap: sonde-profiler is not on its classpath. Start it with `sonde start` or `sonde run`.");
            }
            if (s.getCode() == Status.Code.DEADLINE_EXCEEDED) {
                throw new IllegalStateException("The heap of " + found.description() + " was not read in time; give"
                        + " more --timeout for a large heap.");
            }
            throw new IllegalStateException(s.getDescription() == null ? s.getCode().toString() : s.getDescription(), e);
        }
        result.getText().lines().forEach(out::println);
        out.flush();
    }
}
