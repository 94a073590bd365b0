package io.sonde;

import io.sonde.internal.SondeRuntime;
import io.sonde.internal.client.ConsoleLogRelay;
import io.sonde.proto.TaskInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Base of the integration tests: one real embedded cluster (2 CPUs, real worker JVMs) per test
 * class, with the driver's relayed output captured in {@link #out} and {@link #err}.
 */
abstract class ClusterTest {
    static final List<String> out = new CopyOnWriteArrayList<>();
    static final List<String> err = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startCluster() {
        Sonde.init(new InitOptions().numCpus(2));
        out.clear();
        err.clear();
        SondeRuntime.client().setLogRelay(new ConsoleLogRelay(out::add, err::add, false,
                SondeRuntime.client().info().getNodeIp()));
    }

    @AfterAll
    static void stopCluster() {
        Sonde.shutdown();
    }

    static Optional<TaskInfo> taskInfo(ObjectRef<?> ref) {
        return SondeRuntime.embeddedNode().nodeManager().listTasks().stream()
                .filter(t -> t.getTaskId().equals(ref.id())).findFirst();
    }

    static void kill9(long pid) {
        try {
            new ProcessBuilder("kill", "-9", Long.toString(pid)).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
