package io.sonde.shell.repl;

import io.sonde.debugger.DebugConsole;
import io.sonde.testing.SondeRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Java compiled in the frame of a shell snippet's task: the snippets' own top-level method and
 * record, the shell's imports, a lambda, and {@code !} changing a local the snippet's value shows.
 */
class ShellCompiledExpressionsTest {
    @RegisterExtension
    final SondeRoot root = SondeRoot.temporary();

    private ShellDebuggerTest.TypedShell shell;

    @AfterEach
    void close() throws Exception {
        if (shell != null) {
            shell.close();
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aSnippetsFrameSeesTheSnippetsDeclarationsAndExecChangesItsLocal() throws Exception {
        shell = ShellDebuggerTest.TypedShell.start();
        shell.awaitCount(Repl.PROMPT, 1);
        shell.type("record Pt(int a, int b) {}");
        shell.await("|  created record Pt");
        shell.type("int helper(int v) {\n    return v * 3;\n}");
        shell.await("|  created method helper(int)");
        shell.type("int score(int x) {\n    int h = helper(x);\n    Pt first = new Pt(x, 0);\n"
                + "    List<Integer> xs = List.of(x, x + 1);\n    Sonde.breakpoint();\n    return x + h;\n}");
        shell.await("|  created method score(int)");
        shell.type("get(task((Integer n) -> score(n), 6).name(\"sc\").remote())");
        shell.awaitCount(DebugConsole.PROMPT, 1);
        shell.typeAndAwaitPrompt("p xs.stream().map(v -> new Pt(v, v).a() + helper(v)).toList()", DebugConsole.PROMPT);
        shell.typeAndAwaitPrompt("p -v first.b() + xs.stream().mapToInt(Integer::intValue).sum()", DebugConsole.PROMPT);
        shell.typeAndAwaitPrompt("! x = x + 1;", DebugConsole.PROMPT);
        shell.type("continue");
        shell.awaitPattern("\\$\\d+ ==> 25\n");
        String text = shell.text();
        String session = text.substring(text.indexOf("Stopped at snippet"));
        assertThat(session).as(text)
                .contains("xs.stream().map(v -> new Pt(v, v).a() + helper(v)).toList() = [24, 28]\n")
                .contains("first.b() + xs.stream().mapToInt(Integer::intValue).sum() = 13\n(compiled path: javac compiled it")
                .contains("x = 7\n")
                .doesNotContain("cannot run here")
                .doesNotContain("Exception");
        shell.type("/exit");
        assertThat(shell.exitCode()).as(shell.text()).isZero();
    }
}
