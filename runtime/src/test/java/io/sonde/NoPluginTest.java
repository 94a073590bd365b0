package io.sonde;

import io.sonde.proto.WorkerInfo;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The runtime without any plug-in (the runtime's tests have no sonde-debugger on the classpath):
 * workers start without a JDWP agent, and {@code Sonde.breakpoint()} warns and returns.
 */
class NoPluginTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);

    static int square(int x) {
        Sonde.breakpoint();
        return x * x;
    }

    @Test
    void breakpointWarnsOnTheWorkersStderrAndReturns() {
        assertThat(Sonde.get(Sonde.task(NoPluginTest::square, 6).name("unparked").remote(), Duration.ofSeconds(30)))
                .isEqualTo(36);
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.err().stream().anyMatch(l ->
                l.contains("Sonde.breakpoint() at NoPluginTest.java:") && l.contains("ignored: this worker runs no debugger")));
    }

    @Test
    void workersStartWithoutTheJdwpAgent() throws Exception {
        Sonde.get(Sonde.task(NoPluginTest::square, 2).remote(), Duration.ofSeconds(30));
        List<WorkerInfo> workers = cluster.nodeManager().listWorkers();
        assertThat(workers).isNotEmpty();
        for (WorkerInfo w : workers) {
            String commandLine = new String(Files.readAllBytes(Path.of("/proc/" + w.getPid() + "/cmdline")),
                    StandardCharsets.UTF_8).replace('\0', ' ');
            assertThat(commandLine).contains("io.sonde.internal.worker.WorkerMain").doesNotContain("-agentlib:jdwp");
        }
    }
}
