package io.sonde.shell.repl;

import io.sonde.Sonde;
import io.sonde.testing.SondeRoot;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sonde shell} fed through a pipe, as {@code echo '...' | sonde shell} does: the real
 * session (embedded cluster, worker JVMs, JShell) reading from a JLine dumb terminal on streams.
 * One session covers the whole walk-through, because each one starts a cluster.
 */
class ShellReplTest {
    /** The shell's embedded cluster keeps its session in a root of its own. */
    @RegisterExtension
    final SondeRoot root = SondeRoot.temporary();

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aPipedSessionEvaluatesSnippetsRunsCommandsAndShutsDownAtExit() throws Exception {
        Path script = dir.resolve("setup.jsh");
        Files.writeString(script, String.join("\n",
                "int fromScript = 41;",
                "int broken = \"not a number\";",
                ""));
        String input = String.join("\n",
                "int k = 5;",
                "var r = task((Integer x) -> x + k, 1).remote();",
                "get(r)",
                "record P(String name, int age) {}",
                "get(task(() -> new P(\"ada\", 36)).remote())",
                "get(task(() -> { System.out.println(\"hi from a worker\"); return 0; }).remote())",
                "get(task(() -> {",
                "    throw new IllegalStateException(\"bad\");",
                "}).remote())",
                "int twice(int x) {",
                "    return 2 * x;",
                "}",
                "twice(fromScript) + 0",
                "var spin = task(() -> { long x = 0; while (x >= 0) x++; return x; }).remote();",
                "Thread.sleep(3000)",
                "/cancel spin",
                "/cancel --force spin",
                "/tasks",
                "/top",
                "var kept = put(new byte[3000]);",
                "/memory --sort-by id",
                "/memory --leaks",
                "/memory --leaks --by-name",
                "/profile driver --event cpu --duration 1s --format flat",
                "/stack",
                "/help",
                "/stauts",
                "/exit",
                "int afterExit = 1;",
                "");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code;
        // The terminal JLine gives `sonde shell` when standard input is a pipe, here on streams.
        try (Terminal terminal = new DumbTerminal("test", Terminal.TYPE_DUMB,
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), out, StandardCharsets.UTF_8)) {
            code = ShellSession.run(terminal, new ShellSession.Settings(null, 2, 0, script, false, false, null));
        }
        String text = out.toString(StandardCharsets.UTF_8).replace("\r", "");

        assertThat(code).as(text).isZero();
        // the script ran quietly: its value is not echoed, its error is
        assertThat(text).doesNotContain("fromScript ==> 41");
        assertThat(text).contains("|  Error:\n|  incompatible types: java.lang.String cannot be converted to int\n"
                + "|  int broken = \"not a number\";\n|               ^------------^");
        // the issue's example, echoed as the jshell tool does
        assertThat(text).contains("k ==> 5\n");
        assertThat(text).containsPattern("r ==> ObjectRef\\(\\w+\\)\n");
        assertThat(text).containsPattern("\\$\\d+ ==> 6\n");
        assertThat(text).contains("|  created record P\n");
        assertThat(text).containsPattern("\\$\\d+ ==> P\\[name=ada, age=36]\n");
        // a worker's print, relayed with its prefix
        assertThat(text).containsPattern("\\(lambda pid=\\d+\\) hi from a worker\n");
        // a task's failure, mapped back to the snippet
        assertThat(text).containsPattern("\\|  Exception io\\.sonde\\.TaskException: task lambda \\(pid=\\d+, node=[^)]+\\)"
                + " failed: java\\.lang\\.IllegalStateException: bad\n");
        assertThat(text).contains("|  Caused by: java.lang.IllegalStateException: bad\n");
        assertThat(text).containsPattern("\\|        at snippet \\d+, line 2: throw new IllegalStateException\\(\"bad\"\\);\n");
        assertThat(text).doesNotContain("REPL.$JShell$").doesNotContain("at io.sonde.");
        // declarations and a value computed from the script's variable
        assertThat(text).contains("|  created method twice(int)\n");
        assertThat(text).containsPattern("\\$\\d+ ==> 82\n");
        // /cancel of a task that ignores interrupts says it still runs; --force kills its worker
        assertThat(text).containsPattern("\\|  task lambda \\(\\w+\\) on worker pid=\\d+ still running: it ignores interrupts"
                + " \\(.*\\); /cancel --force spin kills its worker\\.");
        assertThat(text).containsPattern("\\|  killed the worker of task lambda \\(pid \\d+\\): its CPUs are free again\n"
                + "\\|  get\\(spin\\) now throws TaskCancelledException\n");
        // commands
        assertThat(text).containsPattern("\\|  \\w+\\s+lambda\\s+FINISHED\\s+NORMAL");
        assertThat(text).contains("|  /tasks ").contains("|  /cancel [--force] <ref-var> ").contains("|  /exit ");
        // /top: the node's memory, each process by RES - SHR (or, this early, that no sample was taken yet)
        assertThat(text).containsPattern("Memory of node \\w+ \\(127\\.0\\.0\\.1\\)\n(.*In use .*the monitor kills a"
                + " worker above 0\\.95|.*The memory monitor has taken no sample yet)");
        // /memory: the shell's put, held by the shell's driver
        assertThat(text).containsPattern("\\|  \\w+\\s+\\w+\\s+\\d+\\s+driver\\s+\\d\\.\\dKiB\\s+LOCAL_REFERENCE\\s+inline\\s");
        assertThat(text).contains("|  --- object store ---");
        // /memory --leaks: as `sonde memory --leaks`, and its options checked as the verb's
        assertThat(text).containsPattern("\\|  No leak suspects on the node at sonde://127\\.0\\.0\\.1:\\d+: no worker's memory"
                + " kept growing\\.");
        assertThat(text).contains("|  /memory: --leaks lists the leak suspects, --by-name the workers' memory by what they"
                + " run: give one of them.");
        // /profile: the shell itself, as the driver, with the summary only
        assertThat(text).contains("|  Profiling the driver (pid " + ProcessHandle.current().pid() + ") for 1s: ")
                .containsPattern("\\|  (Top frames \\((cpu|ctimer|itimer), [\\d,]+ samples\\):|No samples)");
        // /stack: every thread of the workers and of the shell, the driver
        assertThat(text).containsPattern("\\|  Stacks of the cluster at sonde://127\\.0\\.0\\.1:\\d+: \\d+ processes\\.\n")
                .contains("|  === the driver (pid " + ProcessHandle.current().pid() + ") ===\n");
        assertThat(text).contains("|  Unknown command: /stauts. Did you mean /status?");
        // /exit: nothing after it ran, and the embedded cluster is gone
        assertThat(text).doesNotContain("afterExit");
        assertThat(Sonde.isInitialized()).isFalse();
    }
}
