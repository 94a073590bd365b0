package io.sonde.spi;

import io.sonde.Sonde;
import io.sonde.SondeCalls;
import io.sonde.function.SondeFunc;
import io.sonde.internal.SondeRuntime;
import io.sonde.internal.worker.WorkerMain;
import io.sonde.proto.TaskSpec;
import io.sonde.tooling.HostedNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The names a plug-in reads stacks by follow the runtime's classes when they move. */
class RuntimeFramesTest {
    @Test
    void theWorkersTaskExecutorIsKnownByItsPackage() throws ClassNotFoundException {
        assertThat(RuntimeFrames.TASK_EXECUTOR_PACKAGE).isEqualTo(WorkerMain.class.getPackageName() + ".");
        assertThat(RuntimeFrames.isTaskExecutor(Class.forName("io.sonde.internal.worker.TaskExecutor").getName())).isTrue();
        assertThat(RuntimeFrames.isTaskExecutor(Class.forName("io.sonde.internal.worker.WorkerPlugins").getName())).isTrue();
        assertThat(RuntimeFrames.isTaskExecutor("com.example.Tasks")).isFalse();
        assertThat(RuntimeFrames.isTaskExecutor(Sonde.class.getName())).isFalse();
    }

    @Test
    void thePatternsNameTheRuntimesPackagesAndEntryPoints() {
        assertThat(RuntimeFrames.PATTERNS).containsExactlyInAnyOrder(
                SondeRuntime.class.getPackageName() + ".*",
                TaskSpec.class.getPackageName() + ".*",
                HostedNode.class.getPackageName() + ".*",
                SondeFunc.class.getPackageName() + ".*",
                RuntimeFrames.class.getPackageName() + ".*",
                Sonde.class.getName(),
                SondeCalls.class.getName());
    }
}
