package io.sonde.debugger;

import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.TaskException;
import io.sonde.debugger.plugin.StopReasons;
import io.sonde.debugger.proto.BreakpointInfo;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Post-mortem: a task that throws is frozen at the throw site, listed with its exception, and fails on continue. */
class PostMortemTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2).debugPostMortem(true);
    static final NodeBreakpoints breakpoints = new NodeBreakpoints(cluster);

    static int divide(int a, int b) {
        int doubled = a * 2;
        if (b == 0) {
            throw new IllegalArgumentException("b must not be 0, a=" + a);
        }
        return doubled / b;
    }

    static int handled(int a) {
        try {
            return Integer.parseInt("not a number " + a);
        } catch (NumberFormatException e) {
            return -a; // handled by the task: no post-mortem stop
        }
    }

    @Test
    void anUnhandledExceptionFreezesTheTaskAtTheThrowSiteAndContinueLetsItFail() {
        ObjectRef<Integer> r = Sonde.task(PostMortemTest::divide, 21, 0).name("divide").remote();
        BreakpointInfo b = breakpoints.await("divide");
        assertThat(StopReasons.word(b.getReason())).isEqualTo("post-mortem");
        assertThat(b.getException()).isEqualTo("java.lang.IllegalArgumentException: b must not be 0, a=21");
        assertThat(b.getMethod()).isEqualTo("divide");

        DebugSession s = DebugSession.attach(breakpoints, b, Duration.ofSeconds(10));
        assertThat(s.frame().method()).isEqualTo("divide");
        assertThat(s.evaluate("doubled")).isEqualTo("42");
        assertThat(s.evaluate("b")).isEqualTo("0");
        s.resume();
        assertThatThrownBy(() -> Sonde.get(r, Duration.ofSeconds(30)))
                .isInstanceOf(TaskException.class)
                .hasMessageContaining("task divide")
                .hasRootCauseInstanceOf(IllegalArgumentException.class);
        breakpoints.awaitNone("divide");
    }

    @Test
    void theConsoleListsThePostMortemStopWithItsExceptionAndContinueLetsItFail() {
        ObjectRef<Integer> r = Sonde.task(PostMortemTest::divide, 5, 0).name("pm").remote();
        BreakpointInfo b = breakpoints.await("pm");
        java.io.StringWriter out = new java.io.StringWriter();
        new DebugConsole(breakpoints, new java.io.BufferedReader(new java.io.StringReader(
                "0\nwhere\nprint doubled + b\ncontinue\nquit\n")), new java.io.PrintWriter(out, true),
                DebugOptions.defaults().withEchoInput(true)).run();
        assertThat(out.toString()).as(out.toString())
                .containsPattern("0\\s+\\d\\d:\\d\\d:\\d\\d\\s+pm\\s+PostMortemTest\\.java:" + b.getLine()
                        + "\\s+127\\.0\\.0\\.1\\s+\\d+\\s+post-mortem: java.lang.IllegalArgumentException: b must not be 0, a=5")
                .contains("Stopped at PostMortemTest.divide (PostMortemTest.java:" + b.getLine() + "), where it threw"
                        + " java.lang.IllegalArgumentException: b must not be 0, a=5 and did not catch it (post-mortem).")
                .contains("doubled + b = 10")
                .contains("Task pm goes on.");
        assertThatThrownBy(() -> Sonde.get(r, Duration.ofSeconds(30))).isInstanceOf(TaskException.class);
    }

    @Test
    void anExceptionTheTaskCatchesDoesNotStopIt() {
        assertThat(Sonde.get(Sonde.task(PostMortemTest::handled, 4).name("handled").remote(), Duration.ofSeconds(30)))
                .isEqualTo(-4);
        assertThat(breakpoints.list()).noneMatch(b -> b.getTaskName().equals("handled"));
    }
}
