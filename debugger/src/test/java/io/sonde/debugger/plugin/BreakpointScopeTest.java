package io.sonde.debugger.plugin;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.sonde.debugger.proto.DebugHooks;
import io.sonde.debugger.proto.DebugHooksUpdate;
import io.sonde.debugger.proto.LineBreakpoint;
import io.sonde.spi.NodeContext;
import io.sonde.spi.WorkerRef;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scope of the breakpoints set from the debugger, as the node's debugger plug-in keeps them:
 * by default the jobs running when one is set (or the next job, if none runs), removed when they
 * end; {@code --all-jobs} keeps one until it is cleared. The node's hooks are called as the node
 * calls them; the node itself is a small in-process view with two workers.
 */
class BreakpointScopeTest {
    private final List<WorkerRef> workers = new ArrayList<>();
    private final Map<String, DebugHooks> sent = new ConcurrentHashMap<>();
    private final DebugNodePlugin plugin = new DebugNodePlugin();

    @BeforeEach
    void start() {
        plugin.start(new NodeContext() {
            @Override
            public String nodeId() {
                return "node-1";
            }

            @Override
            public String nodeIp() {
                return "127.0.0.1";
            }

            @Override
            public java.nio.file.Path sessionDir() {
                return java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
            }

            @Override
            public Optional<WorkerRef> worker(String workerId) {
                return workers.stream().filter(w -> w.workerId().equals(workerId)).findFirst();
            }

            @Override
            public List<WorkerRef> workers() {
                return List.copyOf(workers);
            }

            @Override
            public String rootTaskId(String taskId) {
                return taskId;
            }

            @Override
            public boolean taskEnded(String taskId) {
                return false;
            }

            @Override
            public void sendToWorker(String workerId, ByteString payload) {
                try {
                    sent.put(workerId, io.sonde.debugger.proto.WorkerCommand.parseFrom(payload).getHooks());
                } catch (InvalidProtocolBufferException e) {
                    throw new AssertionError(e);
                }
            }

            @Override
            public void sendToDriver(String jobId, ByteString payload) {
            }
        });
    }

    private static DebugHooksUpdate line(String file, int line, boolean allJobs) {
        return DebugHooksUpdate.newBuilder().setAllJobs(allJobs)
                .addAddLines(LineBreakpoint.newBuilder().setFile(file).setLine(line)).build();
    }

    private DebugHooks hooks() {
        return plugin.updateDebugHooks(DebugHooksUpdate.getDefaultInstance());
    }

    private static List<String> files(DebugHooks h) {
        return h.getLinesList().stream().map(LineBreakpoint::getFile).toList();
    }

    @Test
    void aJobScopedBreakpointIsGoneAfterItsJobEndsWhileAnAllJobsOneStays() {
        plugin.jobStarted("job-a", Map.of());
        plugin.updateDebugHooks(line("Scoped.java", 3, false));
        plugin.updateDebugHooks(line("Always.java", 4, true));
        plugin.updateDebugHooks(DebugHooksUpdate.newBuilder().addAddCatches("java.lang.IllegalStateException").build());
        DebugHooks set = hooks();
        assertThat(set.getLines(0).getScope().getJobIdsList()).containsExactly("job-a");
        assertThat(set.getLines(1).getScope().getAllJobs()).isTrue();
        assertThat(set.getCatchScopes(0).getJobIdsList()).containsExactly("job-a");

        // a job that starts later: its workers get the --all-jobs breakpoint only
        plugin.jobStarted("job-b", Map.of());
        plugin.workerHello(new WorkerRef("w-b", 2, "job-b"));
        assertThat(files(sent.get("w-b"))).containsExactly("Always.java");
        assertThat(sent.get("w-b").getCatchesList()).isEmpty();

        plugin.jobEnded("job-a");
        DebugHooks after = hooks();
        assertThat(files(after)).containsExactly("Always.java");
        assertThat(after.getCatchesList()).isEmpty();
    }

    @Test
    void aBreakpointSetWhileNoJobRunsIsForTheNextJobThatStartsAndEndsWithIt() {
        plugin.updateDebugHooks(line("Next.java", 7, false));
        assertThat(hooks().getLines(0).getScope().getJobIdsList()).isEmpty();

        plugin.jobStarted("job-c", Map.of());
        assertThat(hooks().getLines(0).getScope().getJobIdsList()).containsExactly("job-c");
        plugin.workerHello(new WorkerRef("w-c", 3, "job-c"));
        assertThat(files(sent.get("w-c"))).containsExactly("Next.java");

        // a second job started while the first runs is not in its scope
        plugin.jobStarted("job-d", Map.of());
        workers.add(new WorkerRef("w-c", 3, "job-c"));
        workers.add(new WorkerRef("w-d", 4, "job-d"));
        plugin.updateDebugHooks(line("Both.java", 9, false));
        assertThat(files(sent.get("w-c"))).containsExactly("Next.java", "Both.java");
        assertThat(files(sent.get("w-d"))).containsExactly("Both.java");

        plugin.jobEnded("job-c");
        assertThat(files(hooks())).containsExactly("Both.java");
        plugin.jobEnded("job-d");
        assertThat(hooks().getLinesList()).isEmpty();
    }
}
