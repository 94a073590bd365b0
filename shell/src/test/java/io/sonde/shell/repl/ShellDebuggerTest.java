package io.sonde.shell.repl;

import io.sonde.debugger.DebugConsole;
import io.sonde.testing.SondeRoot;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The debugger in {@code sonde shell}: the shell opening it by itself when a snippet's task stops
 * at {@code Sonde.breakpoint()}, and {@code /debug}. A real session (embedded cluster, worker
 * JVMs with the JDWP agent, JShell) on an interactive terminal, typed at line by line, each line
 * after the prompt it answers, as a person types.
 */
class ShellDebuggerTest {
    /** Snippet code: line 3 of this snippet is where its tasks stop. */
    private static final String SQUARE = String.join("\n",
            "int square(int x) {",
            "    int y = x * x;",
            "    Sonde.breakpoint();",
            "    return y + 1;",
            "}");

    /** The shell's embedded cluster keeps its session in a root of its own. */
    @RegisterExtension
    final SondeRoot root = SondeRoot.temporary();

    private TypedShell shell;

    @AfterEach
    void close() throws Exception {
        if (shell != null) {
            shell.close();
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aSnippetWaitingOnATaskAtABreakpointEntersTheDebuggerAndGoesOnAfterContinue() throws Exception {
        shell = TypedShell.start();
        shell.awaitCount(Repl.PROMPT, 1);
        shell.type(SQUARE);
        shell.await("|  created method square(int)");
        shell.type("get(task((Integer n) -> square(n), 6).name(\"sq\").remote())");

        // no list first: attached to the snippet's task, with the snippet as the source
        shell.awaitCount(DebugConsole.PROMPT, 1);
        String id = shell.snippetId();
        String text = shell.text();
        assertThat(text).as(text)
                .containsPattern("Attaching to task sq \\(pid \\d+, node 127\\.0\\.0\\.1\\)\\.\\.\\.\n"
                        + "Stopped at snippet " + id + ", line 3, in square\\(\\)\\. Type help for the commands, continue to"
                        + " let the task go on\\.\n")
                .contains("   1  int square(int x) {\n   2      int y = x * x;\n=> 3      Sonde.breakpoint();\n"
                        + "   4      return y + 1;\n   5  }\n")
                .doesNotContain("Active breakpoints")
                .doesNotContain("attach with 'sonde debug'")
                .doesNotContain("source not found");

        shell.typeAndAwaitPrompt("locals", DebugConsole.PROMPT);
        shell.typeAndAwaitPrompt("print y + 1", DebugConsole.PROMPT);
        shell.typeAndAwaitPrompt("where", DebugConsole.PROMPT);
        shell.typeAndAwaitPrompt("list", DebugConsole.PROMPT);
        // Ctrl-C at the debugger's prompt: a new prompt; the snippet's task is not cancelled
        shell.typeAndAwaitPrompt("\u0003", DebugConsole.PROMPT);
        shell.typeAndAwaitPrompt("next", DebugConsole.PROMPT);
        shell.type("continue");
        // the snippet's wait goes on, and its value is printed as usual
        shell.awaitPattern("\\$\\d+ ==> 37\n");
        text = shell.text();
        // (a line editor on a dumb terminal does not show what is typed: each answer follows its prompt)
        String session = text.substring(text.indexOf("Stopped at snippet"));
        assertThat(session).as(text)
                .containsPattern("\\(sdb\\) x = 6\ny = 36\n"
                        + "\\(sdb\\) y \\+ 1 = 37\n"
                        + "\\(sdb\\) => #0  snippet " + id + ", line 3, in square\\(\\)\n"
                        + "   #1  snippet \\d+, line 1, in a lambda\n"
                        + "\\(sdb\\) snippet " + id + ", line 3, in square\\(\\)\n   1  int square\\(int x\\) \\{\n")
                // after Ctrl-C, a second prompt; next still steps the task
                .containsPattern("\\(sdb\\) \\(sdb\\) snippet " + id + ", line 4, in square\\(\\)\n=> 4      return y \\+ 1;\n"
                        + "\\(sdb\\) Task sq goes on\\.\n\\$\\d+ ==> 37\n")
                .doesNotContain("cancelled")
                .doesNotContain("TaskCancelledException");

        // two tasks of one snippet stop: after one session ends (continue, then quit) the next one opens
        int before = text.length();
        shell.type("Stream.of(2, 3).map(n -> task((Integer m) -> square(m), n).name(\"t\" + n).remote()).toList()"
                + ".stream().mapToInt(r -> get(r)).sum()");
        shell.awaitAfter(before, DebugConsole.PROMPT);
        shell.typeAndAwaitPrompt("print x", DebugConsole.PROMPT);
        shell.type("continue");
        shell.awaitPattern("Task t\\d goes on\\.\nAttaching to task t\\d");
        shell.awaitCount(DebugConsole.PROMPT, 10);
        shell.typeAndAwaitPrompt("print x", DebugConsole.PROMPT);
        shell.type("quit");
        shell.awaitPattern("\\$\\d+ ==> 15\n");
        String two = shell.text().substring(before);
        assertThat(two).as(two)
                .containsPattern("Attaching to task t(2|3) .*\n")
                .containsPattern("(?s)\\(sdb\\) x = ([23])\n\\(sdb\\) Task t\\1 goes on\\.\n"
                        + "Attaching to task t[23] .*\\(sdb\\) x = [23]\n\\(sdb\\) \n?\\$\\d+ ==> 15\n")
                .doesNotContain("attach with 'sonde debug'");
        shell.type("/exit");
        assertThat(shell.exitCode()).as(shell.text()).isZero();
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aStopOfATaskUnderTheSnippetsTaskAtAnyDepthOpensTheDebuggerToo() throws Exception {
        shell = TypedShell.start();
        shell.awaitCount(Repl.PROMPT, 1);
        shell.type(SQUARE);
        shell.await("|  created method square(int)");
        // the snippet's task "top" submits "mid", which submits "deep", which stops: the snippet waits on all three
        shell.type("get(task(() -> get(task(() -> get(task((Integer m) -> square(m), 5).name(\"deep\").remote()))"
                + ".name(\"mid\").remote())).name(\"top\").remote())");
        shell.awaitCount(DebugConsole.PROMPT, 1);
        shell.typeAndAwaitPrompt("print x", DebugConsole.PROMPT);
        shell.type("continue");
        shell.awaitPattern("\\$\\d+ ==> 26\n");
        String text = shell.text();
        assertThat(text).as(text)
                .containsPattern("Attaching to task deep \\(pid \\d+, node 127\\.0\\.0\\.1\\)")
                .contains("(sdb) x = 5\n")
                .doesNotContain("attach with 'sonde debug'");
        shell.type("/exit");
        assertThat(shell.exitCode()).as(shell.text()).isZero();
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void breakAtASnippetLineStopsTheTaskThereAndTheShellOpensTheDebugger() throws Exception {
        shell = TypedShell.start();
        shell.awaitCount(Repl.PROMPT, 1);
        shell.type("int cube(int x) {\n    int y = x * x;\n    return y * x;\n}");
        shell.await("|  created method cube(int)");
        shell.type("int cubes(int n) {\n    int sum = 0;\n    for (int i = 1; i <= n; i++) {\n        sum += cube(i);\n    }\n"
                + "    return sum;\n}");
        shell.await("|  created method cubes(int)");
        shell.type("/list");
        shell.awaitPattern("(\\d+) : int cube");
        Matcher id = Pattern.compile("(\\d+) : int cube").matcher(shell.text());
        assertThat(id.find()).isTrue();
        String snippet = id.group(1);
        shell.type("/debug");
        shell.awaitCount(DebugConsole.LIST_PROMPT, 1);
        shell.typeAndAwaitPrompt("break " + snippet + ":3 if x == 3", DebugConsole.LIST_PROMPT);
        shell.typeAndAwaitPrompt("break 999:1", DebugConsole.LIST_PROMPT);
        int quitted = shell.text().length();
        shell.type("quit");
        shell.awaitAfter(quitted, Repl.PROMPT);
        // x == 2 does not stop; x == 3 stops at line 3 of the snippet, and the debugger opens
        shell.type("get(task((Integer n) -> cube(n), 2).remote()) + get(task((Integer n) -> cube(n), 3).name(\"c3\").remote())");
        shell.awaitCount(DebugConsole.PROMPT, 1);
        shell.typeAndAwaitPrompt("print y", DebugConsole.PROMPT);
        shell.type("continue");
        shell.awaitPattern("\\$\\d+ ==> 35\n");
        // one task reaching the line twice: attached, continue stops at the next hit in the same task
        int before = shell.text().length();
        shell.type("/debug");
        shell.awaitAfter(before, DebugConsole.LIST_PROMPT);
        shell.typeAndAwaitPrompt("clear", DebugConsole.LIST_PROMPT);
        shell.typeAndAwaitPrompt("break " + snippet + ":3 if x % 2 == 1", DebugConsole.LIST_PROMPT);
        int quit = shell.text().length();
        shell.type("quit");
        shell.awaitAfter(quit, Repl.PROMPT);
        int sums = shell.text().length();
        shell.type("get(task((Integer n) -> cubes(n), 4).name(\"sum\").remote())");
        shell.awaitAfter(sums, DebugConsole.PROMPT);
        shell.typeAndAwaitPrompt("print x", DebugConsole.PROMPT);
        shell.typeAndAwaitPrompt("continue", DebugConsole.PROMPT);
        shell.typeAndAwaitPrompt("print x", DebugConsole.PROMPT);
        shell.typeAndAwaitPrompt("clear", DebugConsole.PROMPT);
        shell.type("continue");
        shell.awaitPattern("\\$\\d+ ==> 100\n");
        String sum = shell.text().substring(sums);
        assertThat(sum).as(sum).containsPattern("(?s)\\(sdb\\) x = 1\n.*\\(sdb\\) x = 3\n");
        String text = shell.text();
        assertThat(text).as(text)
                .contains("Breakpoint #1  snippet " + snippet + ":3  if x == 3: a task that reaches it stops and is listed here; in job ")
                .contains("Snippet 999 has no code at line 1")
                .contains("Attaching to task c3 ")
                .contains("Stopped at snippet " + snippet + ", line 3, in cube() at a line breakpoint.")
                .contains("(sdb) y = 9\n");
        shell.type("/exit");
        assertThat(shell.exitCode()).as(shell.text()).isZero();
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void slashDebugListsTheStopOfATaskNobodyWaitsOnAndComesBackToTheShell() throws Exception {
        shell = TypedShell.start();
        shell.awaitCount(Repl.PROMPT, 1);
        shell.type(SQUARE);
        shell.await("|  created method square(int)");
        // the snippet ends before its task stops: the shell announces the stop and does not debug it
        shell.type("var r = task((Integer n) -> { Thread.sleep(500); return square(n); }, 4).name(\"bg\").remote();");
        shell.awaitPattern("r ==> ObjectRef\\(\\w+\\)\n");
        shell.awaitPattern("\\(bg pid=\\d+\\) breakpoint at snippet \\d+:3 \u2014 attach with 'sonde debug' or /debug\n");
        String id = shell.snippetId();

        shell.type("/debug now");
        shell.await("|  /debug takes no arguments but --jdwp-port PORT: it lists the tasks parked at"
                + " Sonde.breakpoint(), then you enter the index of the one to attach to (with --jdwp-port");
        shell.type("/debug");
        shell.awaitCount(DebugConsole.LIST_PROMPT, 1);
        String text = shell.text();
        assertThat(text).as(text).containsPattern("Active breakpoints:\n  index\\s+time\\s+task\\s+file:line\\s+node\\s+pid\n"
                + "  0\\s+\\d\\d:\\d\\d:\\d\\d\\s+bg\\s+snippet " + id + ":3\\s+127\\.0\\.0\\.1\\s+\\d+\n");
        shell.typeAndAwaitPrompt("0", DebugConsole.PROMPT);
        text = shell.text();
        assertThat(text).as(text).contains("Stopped at snippet " + id + ", line 3, in square().")
                .contains("=> 3      Sonde.breakpoint();\n");
        shell.typeAndAwaitPrompt("print x", DebugConsole.PROMPT);
        shell.typeAndAwaitPrompt("continue", DebugConsole.LIST_PROMPT);
        shell.type("quit");
        shell.await(DebugConsole.LIST_PROMPT + Repl.PROMPT);
        text = shell.text();
        assertThat(text).as(text)
                .contains("(sdb) x = 4\n(sdb) Task bg goes on.\n"
                        + "No active breakpoints: a task appears here while it waits in Sonde.breakpoint().\n"
                        + DebugConsole.LIST_PROMPT + Repl.PROMPT);

        // the task went on; the shell evaluates again
        shell.type("get(r)");
        shell.awaitPattern("\\$\\d+ ==> 17\n");

        // Ctrl-D at the list leaves the debugger, as quit does, and the shell goes on
        shell.type("/debug");
        shell.awaitCount(DebugConsole.LIST_PROMPT, 3);
        int before = shell.text().length();
        shell.type("\u0004");
        shell.awaitAfter(before, Repl.PROMPT);
        shell.type("6 * 7");
        shell.awaitPattern("\\$\\d+ ==> 42\n");
        shell.type("/exit");
        assertThat(shell.exitCode()).as(shell.text()).isZero();
    }

    /** {@code sonde shell} on an interactive terminal in this JVM, with keys typed into it and its screen kept as text. */
    static final class TypedShell implements AutoCloseable {
        private final Keys keys = new Keys();
        private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
        private final Terminal terminal;
        private final Thread thread;
        private volatile Integer exitCode;
        private volatile Throwable failure;

        private TypedShell() throws IOException {
            terminal = new DumbTerminal("test", Terminal.TYPE_DUMB, keys, screen, StandardCharsets.UTF_8);
            // the control characters of a terminal (a pseudo-terminal's defaults): Ctrl-C, Ctrl-D
            Attributes a = terminal.getAttributes();
            a.setControlChar(Attributes.ControlChar.VINTR, 3);
            a.setControlChar(Attributes.ControlChar.VEOF, 4);
            terminal.setAttributes(a);
            thread = new Thread(() -> {
                try {
                    exitCode = ShellSession.run(terminal, new ShellSession.Settings(null, 2, 0, null, true, false, null));
                } catch (Throwable t) {
                    failure = t;
                }
            }, "typed-shell");
        }

        static TypedShell start() throws IOException {
            TypedShell s = new TypedShell();
            s.thread.start();
            return s;
        }

        /** What the terminal showed, line ends as {@code \n}. */
        String text() {
            return screen.toString(StandardCharsets.UTF_8).replace("\r", "");
        }

        void type(String line) {
            keys.type(line.endsWith("\u0003") || line.endsWith("\u0004") ? line : line + "\n");
        }

        /** Types a line and waits for the next {@code prompt} after it. */
        void typeAndAwaitPrompt(String line, String prompt) {
            int before = count(text(), prompt);
            type(line);
            awaitCount(prompt, before + 1);
        }

        void await(String fragment) {
            awaitUntil(() -> text().contains(fragment), "\"" + fragment + "\"");
        }

        /** Waits for {@code fragment} in what the terminal showed after the first {@code offset} characters. */
        void awaitAfter(int offset, String fragment) {
            awaitUntil(() -> text().indexOf(fragment, offset) >= 0, "\"" + fragment + "\" after " + offset + " characters");
        }

        void awaitPattern(String regex) {
            Pattern p = Pattern.compile(regex);
            awaitUntil(() -> p.matcher(text()).find(), "/" + regex + "/");
        }

        void awaitCount(String fragment, int n) {
            awaitUntil(() -> count(text(), fragment) >= n, n + " times \"" + fragment + "\"");
        }

        /** The id of the snippet that declared square(), as the debugger names it. */
        String snippetId() {
            Matcher m = Pattern.compile("snippet (\\d+)[,:] ?(line )?3").matcher(text());
            assertThat(m.find()).as(text()).isTrue();
            return m.group(1);
        }

        int exitCode() throws InterruptedException {
            thread.join(60_000);
            if (failure != null) {
                throw new AssertionError("the shell failed:\n" + text(), failure);
            }
            assertThat(exitCode).as("the shell ended; it showed:\n" + text()).isNotNull();
            return exitCode;
        }

        private void awaitUntil(java.util.function.BooleanSupplier condition, String what) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!condition.getAsBoolean()) {
                if (!thread.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("the shell never showed " + what + (thread.isAlive() ? "" : " (it ended)")
                            + "; it showed:\n" + text(), failure);
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }

        private static int count(String s, String fragment) {
            int c = 0;
            for (int i = s.indexOf(fragment); i >= 0; i = s.indexOf(fragment, i + 1)) {
                c++;
            }
            return c;
        }

        @Override
        public void close() throws Exception {
            System.out.println(text());
            keys.close();
            thread.join(30_000);
            terminal.close();
        }
    }

    /** Keys as a terminal receives them: a read blocks until something is typed; closing is the end of input. */
    static final class Keys extends InputStream {
        private static final int EOF = -1;
        private final LinkedBlockingQueue<Integer> bytes = new LinkedBlockingQueue<>();

        void type(String text) {
            for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
                bytes.add(b & 0xff);
            }
        }

        @Override
        public int read() throws IOException {
            try {
                int b = bytes.take();
                if (b == EOF) {
                    bytes.add(EOF); // every later read sees the end too
                }
                return b;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            int first = read();
            if (first == EOF) {
                return EOF;
            }
            b[off] = (byte) first;
            int n = 1;
            Integer next;
            while (n < len && (next = bytes.peek()) != null && next != EOF) {
                b[off + n++] = (byte) (int) bytes.poll();
            }
            return n;
        }

        @Override
        public int available() {
            return (int) bytes.stream().filter(b -> b != EOF).count();
        }

        @Override
        public void close() {
            bytes.add(EOF);
        }
    }
}
