package io.sonde.shell.repl;

import io.sonde.cli.SondeMain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sonde shell} on a real pseudo-terminal, typed at as a person would: the CLI runs in a
 * tmux session ({@code send-keys} to type, {@code capture-pane} to read the screen). Skipped
 * where tmux is not installed.
 */
class ShellTerminalTest {
    private static final Duration WAIT = Duration.ofSeconds(40);

    @TempDir
    Path home;

    private final String session = "sonde-shell-test-" + UUID.randomUUID().toString().substring(0, 8);
    private boolean started;

    @AfterEach
    void killSession() throws Exception {
        if (started) {
            tmux("kill-session", "-t", session);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void ctrlCCancelsAWaitingSnippetAndCtrlDLeaves() throws Exception {
        Assumptions.assumeTrue(tmuxInstalled(), "tmux is not installed: the pseudo-terminal test needs it");
        Path exitFile = startShell();

        // capture-pane drops trailing blanks: the prompt reads "sonde>"
        String screen = waitFor(s -> s.lines().anyMatch(l -> l.startsWith("sonde>")));
        assertThat(screen).contains("|  Welcome to the Sonde shell");

        type("get(task(() -> { Thread.sleep(60000); return 1; }).remote())");
        keys("Enter");
        // the task is running when the status line counts it
        waitFor(s -> s.contains("1 running"));
        keys("C-c");
        screen = waitFor(s -> s.contains("|  cancelled 1 task") && s.lines()
                .anyMatch(l -> l.strip().equals("sonde>")));
        assertThat(screen).doesNotContain("Exception");

        // the shell goes on, and the cluster too
        type("get(task(() -> 40 + 2).remote())");
        keys("Enter");
        waitFor(s -> s.lines().anyMatch(l -> l.matches("\\$\\d+ ==> 42")));

        // Ctrl-C at the prompt drops what was typed
        type("int dropped = 1");
        keys("C-c");
        type("7 * 6");
        keys("Enter");
        screen = waitFor(s -> s.lines().filter(l -> l.matches("\\$\\d+ ==> 42")).count() == 2);
        assertThat(screen).doesNotContain("dropped ==>");

        // Ctrl-D at an empty prompt leaves and stops the embedded cluster
        keys("C-d");
        waitFor(s -> s.contains("|  Goodbye"));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!Files.exists(exitFile) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(exitFile).exists();
        assertThat(Files.readString(exitFile).trim()).isEqualTo("0");
    }

    /**
     * Ctrl-C during a computation in the shell's own JVM stops it, and says "stopped" only once
     * the snippet has ended: a snippet that swallows the stop is reported as still running.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void ctrlCStopsALocalComputationAndSaysSoWhenTheSnippetIgnoresTheStop() throws Exception {
        Assumptions.assumeTrue(tmuxInstalled(), "tmux is not installed: the pseudo-terminal test needs it");
        startShell();
        waitFor(s -> s.lines().anyMatch(l -> l.startsWith("sonde>")));

        type("long spins = 0; while (true) { spins++; } int after = 1;");
        keys("Enter");
        waitFor(s -> s.contains("spins ==> 0"));
        Thread.sleep(1_000); // well into the loop
        keys("C-c");
        String stopped = waitFor(s -> s.contains("|  stopped the snippet (it had started no tasks)") && s.lines()
                .anyMatch(l -> l.strip().equals("sonde>")));
        assertThat(stopped).as("what was typed after the stopped snippet is dropped").doesNotContain("after ==>");

        type("void stubborn(long ms) { long end = System.currentTimeMillis() + ms; while (System.currentTimeMillis() < end)"
                + " { try { Thread.sleep(10); } catch (Throwable ignored) { } } System.out.println(\"stubborn\" + \" ended\"); }");
        keys("Enter");
        waitFor(s -> s.contains("|  created method stubborn(long)"));
        type("stubborn(8_000)"); // long enough for the 3 s notice, short enough not to hold the suite
        keys("Enter");
        Thread.sleep(1_000);
        keys("C-c");
        String screen = waitFor(s -> s.contains("|  the snippet did not stop: it still runs 3 s after Ctrl-C."));
        assertThat(screen).contains("or end the shell with `kill ").doesNotContain("stubborn ended");
        assertThat(screen.split("stopped the snippet", -1)).as("only the first snippet was said to stop").hasSize(2);
        // it ends by itself, and the shell goes on
        waitFor(s -> s.contains("stubborn ended"));
        type("6 * 7");
        keys("Enter");
        waitFor(s -> s.lines().anyMatch(l -> l.matches("\\$\\d+ ==> 42")));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aSnippetsTaskAtABreakpointOpensTheDebuggerWhereCtrlCCancelsNothing() throws Exception {
        Assumptions.assumeTrue(tmuxInstalled(), "tmux is not installed: the pseudo-terminal test needs it");
        startShell();
        waitFor(s -> s.lines().anyMatch(l -> l.startsWith("sonde>")));

        type("int square(int x) { int y = x * x; Sonde.breakpoint(); return y + 1; }");
        keys("Enter");
        waitFor(s -> s.contains("|  created method square(int)"));
        type("get(task((Integer n) -> square(n), 6).name(\"sq\").remote())");
        keys("Enter");
        String screen = waitFor(s -> s.lines().anyMatch(l -> l.equals("(sdb)")));
        assertThat(screen).containsPattern("Stopped at snippet \\d+, line 1, in square\\(\\)\\.")
                .contains("=> 1  int square(int x) { int y = x * x; Sonde.breakpoint(); return y + 1; }");

        // typed at the terminal, shown as typed
        type("print y");
        keys("Enter");
        waitFor(s -> s.contains("(sdb) print y\ny = 36\n(sdb)"));
        // Ctrl-C drops the line being typed and gives a new prompt; the task is not cancelled
        type("print x");
        keys("C-c");
        type("locals");
        keys("Enter");
        screen = waitFor(s -> s.contains("(sdb) locals\nx = 6\ny = 36\n(sdb)"));
        assertThat(screen).contains("(sdb) print x\n(sdb) locals").doesNotContain("cancelled");
        type("continue");
        keys("Enter");
        screen = waitFor(s -> s.lines().anyMatch(l -> l.matches("\\$\\d+ ==> 37")));
        assertThat(screen).contains("(sdb) continue\nTask sq goes on.\n").doesNotContain("Exception");
    }

    /**
     * Ctrl-C on a snippet whose task ignores interrupts: the shell does not call it cancelled but
     * says it still runs; a second Ctrl-C, at the prompt, kills its worker and frees its CPU.
     */
    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void ctrlCOnATaskThatIgnoresInterruptsSaysItStillRunsAndASecondCtrlCKillsItsWorker() throws Exception {
        Assumptions.assumeTrue(tmuxInstalled(), "tmux is not installed: the pseudo-terminal test needs it");
        startShell();
        waitFor(s -> s.lines().anyMatch(l -> l.startsWith("sonde>")));
        Path pidFile = home.resolve("spin.pid");

        type("get(task(() -> { java.nio.file.Files.writeString(java.nio.file.Path.of(\"" + pidFile + "\"), \"\" +"
                + " ProcessHandle.current().pid()); long x = 0; while (x >= 0) x++; return x; }).remote())");
        keys("Enter");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!(Files.exists(pidFile) && !Files.readString(pidFile).isEmpty()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        keys("C-c");
        String screen = waitForJoined(s -> s.contains("still running: it ignores interrupts")
                && s.lines().anyMatch(l -> l.strip().equals("sonde>")));
        assertThat(screen).contains("on worker pid=" + pid).contains("Ctrl-C again kills its worker")
                .doesNotContain("cancelled 1 task");
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("the worker still spins").contains(true);

        keys("C-c");
        screen = waitForJoined(s -> s.contains("killed the worker of task"));
        assertThat(screen).contains("(pid " + pid + "): its CPUs are free again");
        deadline = System.nanoTime() + WAIT.toNanos();
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("the worker was killed").isFalse();
        // both CPUs are free: a task that needs both runs
        type("get(task(() -> 40 + 2).numCpus(2).remote())");
        keys("Enter");
        waitFor(s -> s.lines().anyMatch(l -> l.matches("\\$\\d+ ==> 42")));
    }

    /** {@code sonde shell} on a new tmux pane; returns the file its exit code is written to. */
    private Path startShell() throws Exception {
        Path classes = Path.of(SondeMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String dependencies = Files.readString(Path.of(System.getProperty("sonde.classpathFile"))).trim();
        Path exitFile = home.resolve("exit-code");
        Path launcher = home.resolve("shell.sh");
        Files.writeString(launcher, String.join("\n",
                "#!/bin/sh",
                "export HOME='" + home + "' TERM=xterm-256color",
                "unset SONDE_ADDRESS",
                "'" + java() + "' -cp '" + classes + File.pathSeparator + dependencies + "' "
                        + SondeMain.class.getName() + " shell --num-cpus 2",
                "echo $? > '" + exitFile + "'",
                "sleep 60",
                ""));
        launcher.toFile().setExecutable(true);
        tmux("new-session", "-d", "-s", session, "-x", "150", "-y", "40", launcher.toString());
        started = true;
        return exitFile;
    }

    private void type(String text) throws Exception {
        tmux("send-keys", "-t", session, "-l", "--", text);
    }

    private void keys(String key) throws Exception {
        tmux("send-keys", "-t", session, key);
    }

    private String waitFor(Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String screen = "";
        while (System.nanoTime() < deadline) {
            screen = tmux("capture-pane", "-p", "-t", session);
            if (condition.test(screen)) {
                return screen;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the screen never showed what was expected; it shows:\n" + screen);
    }

    /** As {@link #waitFor}, with lines the terminal wrapped joined again. */
    private String waitForJoined(Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String screen = "";
        while (System.nanoTime() < deadline) {
            screen = tmux("capture-pane", "-p", "-J", "-t", session);
            if (condition.test(screen)) {
                return screen;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the screen never showed what was expected; it shows:\n" + screen);
    }

    private static boolean tmuxInstalled() {
        try {
            return new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String tmux(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add("tmux");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
