package io.sonde.cli.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code shell_startup_ms}: how long {@code sonde shell} takes to become usable. Each round starts
 * a new JVM running the CLI ({@code java -cp <this process's classpath> io.sonde.cli.SondeMain
 * shell}) with its input from a pipe, writes one snippet, {@code System.out.println(...)}, and
 * takes the time from just before the process is started to the moment the snippet's line
 * arrives on the shell's output. That covers JVM start, the embedded cluster's start
 * ({@code Sonde.init}), JShell's start with Sonde's imports, and the evaluation of one trivial
 * snippet: what a person waits for between pressing Enter on {@code sonde shell} and seeing the
 * first result. The JVM gets the options the {@code sonde} script would give it
 * ({@code $SONDE_JAVA_OPTS}); the shell always starts an embedded cluster here
 * ({@code SONDE_ADDRESS} is removed from its environment). The shell then reads the end of its
 * input and exits, which is waited for before the next round.
 */
final class ShellStartup implements Metric {
    static final String MAIN = "io.sonde.cli.SondeMain";
    /** Printed by the snippet; the snippet's source spells it in two halves, so an echo of the input cannot match. */
    static final String MARKER = "sonde-shell-ready";
    private static final String SNIPPET = "System.out.println(\"sonde-shell\" + \"-ready\");\n";
    private static final long READY_TIMEOUT_SECONDS = 60;
    private static final long EXIT_TIMEOUT_SECONDS = 15;

    @Override
    public String name() {
        return "shell_startup_ms";
    }


    @Override
    public Measurement measure(Plan plan) throws Exception {
        double[] millis = new double[plan.coldStartRounds()];
        for (int i = 0; i < millis.length; i++) {
            millis[i] = once();
        }
        return Measurement.of(millis);
    }

    /** Milliseconds from starting a {@code sonde shell} process to its first snippet's output. */
    static double once() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:TieredStopAtLevel=1");                      // as the `sonde` script starts the shell
        String options = System.getenv("SONDE_JAVA_OPTS");
        if (options != null && !options.isBlank()) {
            command.addAll(List.of(options.trim().split("\\s+")));   // as the `sonde` script starts the CLI
        }
        String root = System.getProperty("sonde.root");
        if (root != null && !root.isBlank()) {
            command.add("-Dsonde.root=" + root);     // sessions next to this process's, as tests want
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), MAIN, "shell"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("SONDE_ADDRESS");
        Deque<String> tail = new ArrayDeque<>();
        long start = System.nanoTime();
        Process p = pb.start();
        try {
            try (OutputStream in = p.getOutputStream()) {
                in.write(SNIPPET.getBytes(StandardCharsets.UTF_8));
            }
            CompletableFuture<Long> ready = CompletableFuture.supplyAsync(() -> readUntilMarker(p, tail), runnable -> {
                Thread t = new Thread(runnable, "shell-startup-reader");
                t.setDaemon(true);
                t.start();
            });
            long readyAt;
            try {
                readyAt = ready.get(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException("`sonde shell` did not evaluate its first snippet within "
                        + READY_TIMEOUT_SECONDS + " s; its last output: " + String.join(" | ", snapshot(tail)));
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
            }
            if (!p.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                stop(p);
            }
            return (readyAt - start) / 1e6;
        } finally {
            if (p.isAlive()) {
                stop(p);
            }
        }
    }

    /** Reads the shell's output until the marker line; returns when it arrived (nanoTime). */
    private static long readUntilMarker(Process p, Deque<String> tail) {
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (line.contains(MARKER)) {
                    long at = System.nanoTime();
                    drain(r);
                    return at;
                }
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > 10) {
                        tail.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not read the output of `sonde shell`: " + e.getMessage(), e);
        }
        throw new IllegalStateException("`sonde shell` exited with status " + exitValue(p)
                + " before evaluating its first snippet; its last output: " + String.join(" | ", snapshot(tail)));
    }

    /** Keeps reading, so that a shell printing on its way out never blocks on a full pipe. */
    private static void drain(BufferedReader r) {
        Thread t = new Thread(() -> {
            try {
                while (r.readLine() != null) {
                    // discard
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }, "shell-startup-drain");
        t.setDaemon(true);
        t.start();
    }

    private static List<String> snapshot(Deque<String> tail) {
        synchronized (tail) {
            return List.copyOf(tail);
        }
    }

    private static String exitValue(Process p) {
        try {
            return p.waitFor(5, TimeUnit.SECONDS) ? String.valueOf(p.exitValue()) : "(still running)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(unknown)";
        }
    }

    /** Ends the shell and the workers of its embedded cluster. */
    private static void stop(Process p) throws InterruptedException {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();                                 // SIGTERM: its shutdown hook stops the cluster
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }
}
