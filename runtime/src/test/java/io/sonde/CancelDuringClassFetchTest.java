package io.sonde;

import io.sonde.internal.SondeRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A worker loads a class the driver has only in memory by asking the driver, on the thread of
 * the task that needs it. A cancel that interrupts that task during the fetch must not make the
 * class missing: the JVM remembers a failed resolution, so every later task of the worker that
 * uses the class would fail with {@code NoClassDefFoundError}.
 */
class CancelDuringClassFetchTest {
    private static final Duration GET = Duration.ofSeconds(60);
    private static final String PROBE = "fetchprobe.Probe";
    private static final String SOURCE = String.join("\n",
            "package fetchprobe;",
            "import io.sonde.*;",
            "public final class Probe implements java.util.function.Function<String, ObjectRef<String>> {",
            "    static final class Part { static String text() { return \"part\"; } }",
            "    static String pid() { return Long.toString(ProcessHandle.current().pid()); }",
            "    static String part() { return Part.text() + \" \" + pid(); }",
            "    public ObjectRef<String> apply(String what) {",
            "        return what.equals(\"pid\") ? Sonde.task(Probe::pid).remote() : Sonde.task(Probe::part).remote();",
            "    }",
            "}");

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @SuppressWarnings("unchecked")
    void aCancelThatInterruptsAClassFetchLeavesTheClassLoadableForTheWorkersNextTask() throws Exception {
        MemoryProgram program = MemoryProgram.compile(PROBE, SOURCE);
        CountDownLatch asked = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        // Serves the program's classes, but holds Part back until the test lets it go.
        ClassLoader gated = new ClassLoader(program.loader()) {
            @Override
            public InputStream getResourceAsStream(String name) {
                if (name.equals("fetchprobe/Probe$Part.class")) {
                    asked.countDown();
                    try {
                        answer.await(GET.toSeconds(), TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return program.loader().getResourceAsStream(name);
            }
        };
        Sonde.init(new InitOptions().numCpus(1));
        try {
            SondeRuntime.client().setClassSource(gated);
            Function<String, ObjectRef<String>> probe = program.newInstance(PROBE, Function.class);
            String pid = Sonde.get(probe.apply("pid"), GET);

            ObjectRef<String> interrupted = probe.apply("part");
            assertThat(asked.await(GET.toSeconds(), TimeUnit.SECONDS)).as("the worker asks for Part").isTrue();
            // The embedded node has handled the cancel when this returns; the interrupt then travels
            // node → worker with no sign the driver could wait for: give it time.
            Sonde.cancel(interrupted);
            Thread.sleep(2_000);
            answer.countDown();
            assertThatThrownBy(() -> Sonde.get(interrupted, GET)).isInstanceOf(TaskCancelledException.class);

            assertThat(Sonde.get(probe.apply("part"), GET)).as("Part on the same worker").isEqualTo("part " + pid);
        } finally {
            answer.countDown();
            Sonde.shutdown();
        }
    }
}
