package io.sonde.debugger;

import com.sun.jdi.Bootstrap;
import com.sun.jdi.LocalVariable;
import com.sun.jdi.StackFrame;
import com.sun.jdi.ThreadReference;
import com.sun.jdi.VirtualMachine;
import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.TaskCancelledException;
import io.sonde.debugger.plugin.BreakpointPark;
import io.sonde.debugger.proto.BreakpointInfo;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class BreakpointTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);
    static final NodeBreakpoints breakpoints = new NodeBreakpoints(cluster);

    static int parkedSquare(int x) {
        int y = x * x;
        Sonde.breakpoint();
        return y;
    }

    @Test
    void breakpointParksTheTaskListsItAndADebuggerLetsItGo() throws Exception {
        ObjectRef<Integer> r = Sonde.task(BreakpointTest::parkedSquare, 7).name("square").remote();
        await().atMost(Duration.ofSeconds(30)).until(() -> breakpoints.list().size() == 1);
        BreakpointInfo b = breakpoints.list().get(0);
        assertThat(b.getIndex()).isZero();
        assertThat(b.getTaskName()).isEqualTo("square");
        assertThat(b.getFile()).isEqualTo("BreakpointTest.java");
        assertThat(b.getMethod()).isEqualTo("parkedSquare");
        assertThat(b.getPid()).isNotEqualTo(ProcessHandle.current().pid());
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.out().contains("(square pid=" + b.getPid() + ") breakpoint at "
                + "BreakpointTest.java:" + b.getLine() + " \u2014 attach with 'sonde debug' or /debug"));
        assertThat(Sonde.wait(List.of(r), 1, Duration.ofMillis(300)).ready()).isEmpty();

        release(b);
        assertThat(Sonde.get(r, Duration.ofSeconds(20))).isEqualTo(49);
        await().atMost(Duration.ofSeconds(10)).until(() -> breakpoints.list().isEmpty());
    }

    @Test
    void cancellingAParkedTaskEndsTheWait() {
        ObjectRef<Integer> r = Sonde.task(BreakpointTest::parkedSquare, 3).name("parked").remote();
        await().atMost(Duration.ofSeconds(30)).until(() -> breakpoints.list().stream().anyMatch(b -> b.getTaskName().equals("parked")));
        Sonde.cancel(r);
        assertThatThrownBy(() -> Sonde.get(r)).isInstanceOf(TaskCancelledException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> breakpoints.list().stream().noneMatch(b -> b.getTaskName().equals("parked")));
    }

    @Test
    void aParkedTaskWhoseDriverExitsEndsAndLeavesTheList() throws Exception {
        Process driver = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // the cluster's session root: where the driver finds its auth token
                "-Dsonde.root=" + cluster.root(), "-cp", System.getProperty("java.class.path"), ParkingDriver.class.getName(),
                cluster.address()).redirectErrorStream(true).start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> breakpoints.list().stream().anyMatch(b -> b.getTaskName().equals("orphan")));
            long pid = breakpoints.list().stream().filter(b -> b.getTaskName().equals("orphan")).findFirst().orElseThrow().getPid();
            assertThat(driver.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            String said = new String(driver.getInputStream().readAllBytes());
            assertThat(said).as(said).contains("parked");
            await().atMost(Duration.ofSeconds(10)).until(() -> breakpoints.list().stream().noneMatch(b -> b.getTaskName().equals("orphan")));
            await().atMost(Duration.ofSeconds(15)).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        } finally {
            driver.destroyForcibly();
        }
    }

    /** What the debugger does on `continue`: set the parked frame's resume flag over JDWP, through the node. */
    private static void release(BreakpointInfo b) throws Exception {
        VirtualMachine vm = Bootstrap.virtualMachineManager().createVirtualMachine(breakpoints.jdwp(b));
        try {
            ThreadReference thread = vm.allThreads().stream().filter(t -> t.name().equals(b.getThreadName()))
                    .findFirst().orElseThrow();
            thread.suspend();
            for (StackFrame f : thread.frames()) {
                if (f.location().method().name().equals(BreakpointPark.METHOD)
                        && f.location().declaringType().name().equals(BreakpointPark.class.getName())) {
                    LocalVariable resume = f.visibleVariableByName(BreakpointPark.RESUME_LOCAL);
                    f.setValue(resume, vm.mirrorOf(true));
                }
            }
            thread.resume();
        } finally {
            vm.dispose();
        }
    }
}
