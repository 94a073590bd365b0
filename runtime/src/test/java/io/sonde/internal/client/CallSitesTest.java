package io.sonde.internal.client;

import org.junit.jupiter.api.Test;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Which frame {@link CallSites} names as where the program created an object. */
class CallSitesTest {
    private static StackTraceElement frame(String className, String method, String file, int line) {
        return new StackTraceElement("app", null, null, className, method, file, line);
    }

    private static final StackTraceElement PUT = frame("io.sonde.internal.client.CoreClient", "put", "CoreClient.java", 400);
    private static final StackTraceElement API = frame("io.sonde.Sonde", "put", "Sonde.java", 79);

    @Test
    void theSiteIsTheFirstFrameOutsideSondeAndTheJdkWithoutTheLoaderPrefix() {
        StackTraceElement main = frame("Main", "main", "Main.java", 12);
        assertThat(main.toString()).startsWith("app//"); // what format leaves out

        String site = CallSites.site(true, Stream.of(PUT, API, main, frame("Main", "run", "Main.java", 3)));

        assertThat(site).isEqualTo("Main.main(Main.java:12)");
    }

    @Test
    void aShellSnippetIsNamedAsItsFrameAppearsPastJShellsEngineAndReflection() {
        StackTraceElement snippet = frame("REPL.$JShell$12", "do_it$", "$JShell$12.java", 3);
        Stream<StackTraceElement> stack = Stream.of(PUT, API,
                frame("jdk.internal.reflect.DirectMethodHandleAccessor", "invoke", "DirectMethodHandleAccessor.java", 103),
                snippet,
                frame("java.lang.reflect.Method", "invoke", "Method.java", 580),
                frame("jdk.jshell.execution.DirectExecutionControl", "invoke", "DirectExecutionControl.java", 227),
                frame("io.sonde.shell.repl.ShellSession", "eval", "ShellSession.java", 90));

        assertThat(CallSites.site(true, stack)).isEqualTo("REPL.$JShell$12.do_it$($JShell$12.java:3)");
    }

    @Test
    void nothingIsRecordedUnlessTheVariableSaysSo() {
        assertThat(CallSites.site(false, Stream.of(PUT, frame("Main", "main", "Main.java", 12)))).isEmpty();
    }

    @Test
    void aStackOfOnlySondeAndJdkFramesHasNoSite() {
        assertThat(CallSites.site(true, Stream.of(PUT, API, frame("java.lang.Thread", "run", "Thread.java", 840)))).isEmpty();
    }

    @Test
    void framesWithoutLineOrFileSayWhatTheyHave() {
        assertThat(CallSites.format(frame("Gen", "call", "Gen.java", -1))).isEqualTo("Gen.call(Gen.java)");
        assertThat(CallSites.format(frame("Gen", "call", null, -1))).isEqualTo("Gen.call(Unknown Source)");
    }

    @Test
    void withoutTheVariableTheCurrentSiteIsEmpty() {
        // The test JVM is not started with SONDE_RECORD_REF_CREATION_SITES=1.
        assertThat(System.getenv(CallSites.ENV)).isNotEqualTo("1");
        assertThat(CallSites.current()).isEmpty();
    }
}
