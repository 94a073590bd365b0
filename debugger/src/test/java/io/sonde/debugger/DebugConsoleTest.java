package io.sonde.debugger;

import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.debugger.proto.BreakpointInfo;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The text interface: the breakpoint list, the (sdb) prompt and its commands, fed by piped input. */
class DebugConsoleTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);
    static final NodeBreakpoints breakpoints = new NodeBreakpoints(cluster);

    static int square(int x) {
        int y = x * x;
        String word = "abc";
        Sonde.breakpoint();
        int z = y + word.length();
        return z;
    }

    /** Lets go of whatever a failed test left parked, so that the next test starts with an empty list. */
    @org.junit.jupiter.api.AfterEach
    void releaseLeftovers() {
        for (BreakpointInfo b : breakpoints.list()) {
            try (DebugSession s = DebugSession.attach(breakpoints, b, Duration.ofSeconds(10))) {
                s.resume();
            } catch (DebugException ignored) {
                // it went on meanwhile
            }
        }
    }

    private static String transcript(String input) {
        StringWriter out = new StringWriter();
        DebugOptions options = DebugOptions.defaults().withEchoInput(true);
        new DebugConsole(breakpoints, new BufferedReader(new StringReader(input)), new PrintWriter(out, true), options).run();
        return out.toString();
    }

    @Test
    void listAttachLookStepContinueAndQuit() {
        ObjectRef<Integer> r = Sonde.task(DebugConsoleTest::square, 6).name("square").remote();
        BreakpointInfo b = breakpoints.awaitOnly("square");
        String out = transcript(String.join("\n", "", "0", "where", "locals", "print x * 2 + y", "p word.length()",
                "bogus", "next", "", "locals", "threads", "up", "continue", "locals", "quit", ""));
        System.out.println(out);
        assertThat(out).as(out)
                .containsPattern("index\\s+time\\s+task\\s+file:line\\s+node\\s+pid")
                .containsPattern("0\\s+\\d\\d:\\d\\d:\\d\\d\\s+square\\s+DebugConsoleTest\\.java:" + b.getLine()
                        + "\\s+127\\.0\\.0\\.1\\s+" + b.getPid())
                .contains("Stopped at DebugConsoleTest.square (DebugConsoleTest.java:" + b.getLine() + ")")
                .contains("=> " + b.getLine() + "          Sonde.breakpoint();")
                .contains("(sdb) where\n=> #0  DebugConsoleTest.square (DebugConsoleTest.java:" + b.getLine() + ")\n")
                .contains("(sdb) locals\nx = 6\ny = 36\nword = \"abc\"\n")
                .contains("x * 2 + y = 48")
                .contains("word.length() = 3")
                .contains("Unknown command `bogus`; type help for the list.")
                .contains("(sdb) next\nDebugConsoleTest.square (DebugConsoleTest.java:" + (b.getLine() + 1) + ")\n=> "
                        + (b.getLine() + 1) + "          int z = y + word.length();")
                // an empty line repeats next
                .contains("(sdb) \nDebugConsoleTest.square (DebugConsoleTest.java:" + (b.getLine() + 2) + ")")
                .contains("z = 39")
                .containsPattern("\\* sonde-task\\s+running, stopped by the debugger")
                .contains("Already at the outermost frame of the task.")
                .contains("Task square goes on.")
                .contains("`locals` needs an attached task: enter a breakpoint index first.")
                .contains("No active breakpoints");
        assertThat(Sonde.get(r, Duration.ofSeconds(20))).isEqualTo(39);
    }

    @Test
    void endOfInputWhileAttachedLetsTheTaskGoOn() {
        ObjectRef<Integer> r = Sonde.task(DebugConsoleTest::square, 2).name("eof").remote();
        breakpoints.awaitOnly("eof");
        String out = transcript("0\nhelp\nprint x\n");
        assertThat(out).as(out).contains("where (bt)").contains("print [-v] EXPR (p)").contains("exec STMT;... (!)").contains("[stopped]").contains("x = 2");
        assertThat(Sonde.get(r, Duration.ofSeconds(20))).isEqualTo(7);
        breakpoints.awaitNone("eof");
    }

    @Test
    void anUnknownIndexAndAMissingSourceAreExplained() {
        ObjectRef<Integer> r = Sonde.task(DebugConsoleTest::square, 3).name("nosource").remote();
        breakpoints.awaitOnly("nosource");
        StringWriter out = new StringWriter();
        DebugOptions options = DebugOptions.defaults().withEchoInput(true).withSourcepath(List.of(Path.of("no-such-dir")));
        new DebugConsole(breakpoints, new BufferedReader(new StringReader("7\n0\nlist\ndetach\nquit\n")),
                new PrintWriter(out, true), options).run();
        assertThat(out.toString()).as(out.toString())
                .contains("There is no breakpoint 7; the indexes are 0 to 0.")
                .contains("(source not found: io.sonde.debugger.DebugConsoleTest line ")
                .contains("DebugConsoleTest.java is not under no-such-dir - pass --sourcepath)")
                .contains("Detached from nosource (pid ");
        assertThat(Sonde.get(r, Duration.ofSeconds(20))).isEqualTo(12);
    }

    /**
     * {@code attach} goes straight to one stop, without the list, reads through a {@link LineInput}
     * (which shows the prompts itself: nothing is printed or echoed for it), and returns when the
     * session ends; a {@link SourceProvider} names and shows the frames it knows.
     */
    @Test
    void attachToOneStopWithALineEditorAndASourceProvider() {
        ObjectRef<Integer> r = Sonde.task(DebugConsoleTest::square, 5).name("direct").remote();
        BreakpointInfo b = breakpoints.awaitOnly("direct");
        // The provider's text for square(): its breakpoint line is line 4 of these.
        List<String> typed = List.of("static int square(int x) {", "    int y = x * x;", "    String word = \"abc\";",
                "    Sonde.breakpoint();", "    int z = y + word.length();", "    return z;", "}");
        int offset = b.getLine() - 4;
        SourceProvider provider = (cls, method, line) -> cls.equals(DebugConsoleTest.class.getName())
                && method.equals("square")
                ? java.util.Optional.of(new SourceProvider.Source("snippet 9, line " + (line - offset) + ", in square()",
                typed, line - offset))
                : java.util.Optional.empty();
        java.util.Deque<String> lines = new java.util.ArrayDeque<>(List.of("where", "list", "print x", "next", "continue"));
        List<String> prompts = new java.util.ArrayList<>();
        LineInput input = prompt -> {
            prompts.add(prompt);
            return lines.poll();
        };
        StringWriter out = new StringWriter();
        boolean quit = new DebugConsole(breakpoints, input, new PrintWriter(out, true),
                DebugOptions.defaults().withSourceProvider(provider)).attach(b);
        String text = out.toString();
        System.out.println(text);
        assertThat(quit).isFalse();
        assertThat(prompts).containsExactly(DebugConsole.PROMPT, DebugConsole.PROMPT, DebugConsole.PROMPT,
                DebugConsole.PROMPT, DebugConsole.PROMPT);
        assertThat(text).as(text)
                .doesNotContain("Active breakpoints").doesNotContain(DebugConsole.LIST_PROMPT).doesNotContain("(sdb)")
                .contains("Attaching to task direct (pid " + b.getPid() + ", node 127.0.0.1)...\n"
                        + "Stopped at snippet 9, line 4, in square(). Type help for the commands, continue to let the task go on.\n"
                        + "   1  static int square(int x) {\n")
                .contains("=> 4      Sonde.breakpoint();\n   5      int z = y + word.length();\n")
                .contains("=> #0  snippet 9, line 4, in square()\n")
                .contains("snippet 9, line 4, in square()\n   1  static int square(int x) {")
                .contains("x = 5\n")
                .contains("snippet 9, line 5, in square()\n=> 5      int z = y + word.length();\n")
                .contains("Task direct goes on.")
                .doesNotContain("source not found");
        assertThat(Sonde.get(r, Duration.ofSeconds(20))).isEqualTo(28);
    }

    @Test
    void theSourceLocatorMarksTheLineAndReadsTheSourcePath() throws IOException {
        assertThat(SourceLocator.parse(null)).isEqualTo(SourceLocator.defaultRoots());
        assertThat(SourceLocator.parse("a" + File.pathSeparator + "b")).containsExactly(Path.of("a"), Path.of("b"));
        assertThat(SourceLocator.render(List.of("one", "two", "three"), 1, 3, 2))
                .isEqualTo("   1  one\n=> 2  two\n   3  three\n");
        SourceLocator l = new SourceLocator(SourceLocator.defaultRoots());
        assertThat(l.find("io/sonde/debugger/DebugConsoleTest.java", "DebugConsoleTest.java")).isPresent();
        assertThat(l.find(null, "pom.xml")).contains(Path.of("./pom.xml"));
    }
}
