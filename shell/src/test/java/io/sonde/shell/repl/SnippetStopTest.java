package io.sonde.shell.repl;

import jdk.jshell.EvalException;
import jdk.jshell.SnippetEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ctrl-C ({@link ShellEngine#stop}) stops the snippet's thread and nothing else, and only the
 * snippet's own thread says whether a snippet was stopped: no cluster needed.
 */
class SnippetStopTest {
    private static ShellEngine engine;

    @BeforeAll
    static void startJShell() {
        PrintStream out = new PrintStream(OutputStream.nullOutputStream(), true);
        engine = ShellEngine.create(InputStream.nullInputStream(), out, out);
    }

    @AfterAll
    static void stopJShell() {
        engine.close();
    }

    private static SnippetEvent last(String snippet) {
        List<SnippetEvent> events = engine.eval(snippet);
        return events.get(events.size() - 1);
    }

    /**
     * As in the shell after a Ctrl-C: a thread the stopped snippet's calls started (as Sonde's
     * transport thread starts the node's copiers of a worker's output) sits in a blocking read.
     * Stopping every thread of the snippet's thread group, as JShell does, left it a stop that
     * landed when its read returned, during a later snippet, which then lost its value.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aStopReachesOnlyTheSnippetsThreadAndTheNextSnippetKeepsItsValue() throws Exception {
        last("Process cat = new ProcessBuilder(\"cat\").start();");
        last("String[] outcome = {\"reading\"};");
        last("Thread reader;");
        CompletableFuture<List<SnippetEvent>> stopped = CompletableFuture.supplyAsync(() -> engine.eval(
                "reader = new Thread(() -> { try { outcome[0] = \"read \" + cat.getInputStream().read(); }"
                        + " catch (java.io.IOException e) { outcome[0] = e.toString(); } }, \"stop-test-reader\");"
                        + " reader.start(); Thread.sleep(60_000);"));
        Thread reader = awaitReadingNatively("stop-test-reader");
        engine.stop();
        stopped.get(30, TimeUnit.SECONDS);
        assertThat(engine.stopped()).isTrue();
        assertThat(reader.isAlive()).as("the thread the snippet started was not stopped").isTrue();

        last("int poke() throws Exception { cat.getOutputStream().write('x'); cat.getOutputStream().flush();"
                + " reader.join(20_000); return 42; }");
        SnippetEvent e = last("poke()");
        assertThat(e.exception()).isNull();
        assertThat(engine.stopped()).isFalse();
        assertThat(e.value()).isEqualTo("42");
        assertThat(last("outcome[0]").value()).isEqualTo("\"read 120\"");
        last("cat.destroy();");
    }

    @Test
    void aThreadDeathTheSnippetThrowsIsAnExceptionNotAStop() {
        SnippetEvent e = last("throw new ThreadDeath();");
        assertThat(engine.stopped()).isFalse();
        assertThat(e.exception()).isInstanceOf(EvalException.class);
        assertThat(((EvalException) e.exception()).getExceptionClassName()).isEqualTo("java.lang.ThreadDeath");
        assertThat(last("6 * 7").value()).isEqualTo("42");
    }

    /** The named thread, once it waits in a native read. */
    private static Thread awaitReadingNatively(String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (var t : Thread.getAllStackTraces().entrySet()) {
                StackTraceElement[] stack = t.getValue();
                if (t.getKey().getName().equals(name) && stack.length > 0 && stack[0].isNativeMethod()
                        && stack[0].getMethodName().startsWith("read")) {
                    return t.getKey();
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the snippet's reader never started reading");
    }
}
