package io.sonde.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sonde run} as a user runs it: a child JVM on the shell's classes plus the classpath file
 * the build writes (what the {@code sonde} script starts), from the repository's root, with a
 * private TMPDIR and no SONDE_ADDRESS, so each run starts an embedded cluster of its own.
 */
class RunCommandTest {
    private static final Pattern EXIT_HEADER = Pattern.compile("(?m)^// exit: (\\d+)\\b");
    /** How the example says it is run: {@code // Run:   ./sonde run [OPTIONS] examples/NAME.jsh}. */
    private static final Pattern RUN_HEADER = Pattern.compile("(?m)^// Run:\\s+\\./sonde (run .*)$");

    /**
     * What each example must print (stdout and stderr together). Every example in examples/ runs,
     * listed here or not; one not listed is checked for its exit status only.
     */
    private static final Map<String, List<String>> EXPECTED = Map.of(
            "application_failure.jsh", List.of(
                    "caught:   task parse (pid=",
                    "cause:    java.lang.NumberFormatException: For input string: \"forty-two\"",
                    "cause is a NumberFormatException: true",
                    "downstream: task parse (pid=",
                    "flaky: ok on attempt 1"),
            "out_of_memory.jsh", List.of(
                    "OutOfMemoryException: Task was killed due to the node running low on memory.",
                    "which exceeds the memory usage threshold of 0.95. Sonde killed this worker (ID: w",
                    "its budget of 1.00 GiB (--memory)",
                    "Top 10 memory users (RES - SHR):",
                    "it was killed 2 times and retried 1 (oomRetries=1)",
                    "the driver carries on: 42"),
            "uncaught_failure.jsh", List.of(
                    "error in snippet 3 (line 14 of examples/uncaught_failure.jsh): get(r);",
                    "io.sonde.TaskException: task ratio (pid=",
                    "\tat snippet 3 (examples/uncaught_failure.jsh:14): get(r);",
                    "Caused by: java.lang.ArithmeticException: / by zero",
                    "\tat snippet 1 (examples/uncaught_failure.jsh:9), in ratio(): return total / parts;"),
            "print_debugging.jsh", List.of(
                    ") squaring 1",
                    "squares: [1, 4, 9]",
                    "(check pid=",
                    "warning: input has no header row",
                    "(Trainer pid=",
                    "loading model weights [repeated 2x across cluster]",
                    "epochs done: [1, 2, 3]"),
            "cancel_and_kill.jsh", List.of(
                    "pending task:  TaskCancelledException: task waiting",
                    "running task:  TaskCancelledException: task sleeper",
                    "forced cancel: TaskCancelledException: task spinner",
                    "counter: value 1",
                    "after kill: ActorDiedException: ",
                    "killed by Sonde.kill"),
            "worker_crash.jsh", List.of(
                    "flaky_worker, attempt 0: kill -9",
                    "retried task returned on attempt 1",
                    "WorkerCrashedException: task no_retries",
                    "was killed by signal 9 (SIGKILL) while running it (exit code 137)",
                    "The worker's log: "),
            "actors.jsh", List.of(
                    "balance: 175",
                    "caught: java.lang.IllegalStateException: insufficient funds: balance 175, asked 1000",
                    "still alive, balance: 100",
                    "found by name, balance: 100",
                    "ActorDiedException: ",
                    "cause: java.lang.IllegalArgumentException: opening balance must not be negative, got -1"));

    @TempDir
    static Path dir;

    private static Path root;
    private static String classpath;

    @BeforeAll
    static void locate() throws Exception {
        Path classes = Path.of(SondeMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String dependencies = Files.readString(Path.of(System.getProperty("sonde.classpathFile"))).trim();
        classpath = classes + File.pathSeparator + dependencies;
        Path d = Path.of("").toAbsolutePath();
        while (d != null && !Files.isDirectory(d.resolve("examples"))) {
            d = d.getParent();
        }
        assertThat(d).as("the repository's root, holding examples/").isNotNull();
        root = d;
    }

    /**
     * Every example in examples/, run as its header says, each checked against the exit status its header gives. They run
     * two at a time (their output is their own; much of their time is spent waiting on workers).
     */
    @TestFactory
    Stream<DynamicTest> everyExampleScriptExitsAsItsHeaderSays() throws IOException {
        List<Path> scripts;
        try (Stream<Path> files = Files.list(root.resolve("examples"))) {
            scripts = files.filter(f -> f.toString().endsWith(".jsh")).sorted().toList();
        }
        assertThat(scripts).extracting(p -> p.getFileName().toString()).containsAll(EXPECTED.keySet());
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "sonde-run-example");
            t.setDaemon(true);
            return t;
        });
        Map<Path, Future<Result>> runs = new LinkedHashMap<>();
        for (Path script : scripts) {
            Matcher run = RUN_HEADER.matcher(Files.readString(script));
            assertThat(run.find()).as(script.getFileName() + " must say how it is run in a `// Run:   ./sonde run ...`"
                    + " header line").isTrue();
            String[] command = run.group(1).trim().split("\\s+");
            assertThat(command[command.length - 1]).isEqualTo("examples/" + script.getFileName());
            runs.put(script, pool.submit(() -> sonde(root, command)));
        }
        pool.shutdown();
        return scripts.stream().map(script -> DynamicTest.dynamicTest(script.getFileName().toString(), () -> {
            String name = script.getFileName().toString();
            Matcher header = EXIT_HEADER.matcher(Files.readString(script));
            assertThat(header.find()).as(name + " must say its exit status in a `// exit: N` header line").isTrue();
            int expected = Integer.parseInt(header.group(1));

            Result r = runs.get(script).get();

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(expected);
            for (String line : EXPECTED.getOrDefault(name, List.of())) {
                assertThat(r.all()).as(r.toString()).contains(line);
            }
            if (expected == 1) {
                // stopped by an uncaught failure: reported first thing on stderr, without the
                // frames of Sonde's and JShell's machinery
                assertThat(r.err()).as(r.toString()).startsWith("error in snippet ")
                        .doesNotContain("jdk.jshell.").doesNotContain("io.sonde.internal.");
            }
        }));
    }

    @Test
    void aSingleFileProgramWithoutSondeInitRunsOnAClusterSondeRunStarts() throws Exception {
        Files.writeString(dir.resolve("Main.java"), """
                import io.sonde.Sonde;
                import java.util.Arrays;

                public class Main {
                    record Point(int x, int y) {}

                    static int norm(Point p) {
                        System.out.println("norm of " + p);
                        return Math.abs(p.x()) + Math.abs(p.y());
                    }

                    public static void main(String[] args) {
                        Point p = Sonde.get(Sonde.task(() -> new Point(3, -4)).remote());
                        System.out.println("point " + p + ", norm " + Sonde.get(Sonde.task(Main::norm, p).remote()));
                        System.out.println("args " + Arrays.toString(args));
                        check(args.length);
                    }

                    static void check(int n) {
                        throw new IllegalStateException("no good: " + n);
                    }
                }

                class Unused {
                }
                """);

        Result r = sonde(dir, "run", "Main.java", "a b", "--address", "-x");

        // the program's classes reached the worker: the record as a result, the method as a task
        assertThat(r.out()).as(r.toString()).contains("point Point[x=3, y=-4], norm 7")
                .contains("args [a b, --address, -x]")
                .containsPattern("\\(norm pid=\\d+\\) norm of Point\\[x=3, y=-4]");
        // an exception that ends main is printed as the JVM prints it, without sonde run's frames
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).startsWith("Exception in thread \"main\" java.lang.IllegalStateException: no good: 3")
                .contains("\tat Main.check(Main.java:20)")
                .contains("\tat Main.main(Main.java:16)")
                .doesNotContain("io.sonde.shell.run")
                .doesNotContain("io.sonde.cli")
                .doesNotContain("reflect");
    }

    @Test
    void theObjectStoresFlagsReachTheClusterSondeRunStarts() throws Exception {
        Path spill = dir.resolve("store-flags").resolve("spill");
        Files.writeString(dir.resolve("store.jsh"), """
                var node = io.sonde.tooling.HostedNode.embedded().orElseThrow();
                System.out.println("store " + node.objectStoreCapacity() + " spill " + node.objectSpillingDirectory());
                """);

        Result r = sonde(dir, "run", "--memory", "1g", "--object-store-memory", "96MiB",
                "--object-spilling-directory", spill.toString(), "store.jsh");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).as(r.toString()).contains("store " + (96L << 20) + " spill " + spill.toAbsolutePath());
    }

    @Test
    void aProgramThatInitializesSondeItselfRunsAsUnderJava() throws Exception {
        Result r = sonde(root, "run", "examples/FirstSteps.java");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("squares: [1, 4, 9, 16]")
                .contains("caught: task divide (pid=")
                .contains("counter = 12");
    }

    @Test
    void aProgramThatDoesNotCompileIsReportedAsJavacReportsIt() throws Exception {
        Files.writeString(dir.resolve("Broken.java"), """
                public class Broken {
                    public static void main(String[] args) {
                        int n = "text";
                    }
                }
                """);

        Result r = sonde(dir, "run", "Broken.java");

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("Broken.java:3: error: incompatible types: String cannot be converted to int")
                .contains("        int n = \"text\";")
                .contains("error: compilation failed");
    }

    @Test
    void aScriptThatDoesNotCompileStopsAtThatSnippetAndNamesIt() throws Exception {
        Files.writeString(dir.resolve("broken.jsh"), """
                System.out.println("first");

                int total = 1 +
                        missing;
                System.out.println("not reached");
                """);

        Result r = sonde(dir, "run", "broken.jsh");

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("first").doesNotContain("not reached");
        assertThat(r.err()).startsWith("error in snippet 2 (line 3 of broken.jsh): int total = 1 + ...")
                .contains("broken.jsh:4: error: cannot find symbol")
                .contains("  symbol:   variable missing");
    }

    @Test
    void scriptArgumentsArriveAsArgsAndSystemExitSetsTheStatus() throws Exception {
        Files.writeString(dir.resolve("args.jsh"), """
                System.out.println("args: " + String.join("|", args));
                var ref = task(() -> {
                    System.out.println("last words from a worker");
                    return 0;
                }).remote()
                get(ref)
                System.exit(args.length)
                """);

        Result r = sonde(dir, "run", "args.jsh", "one", "two words", "--address", "\"quoted\"\\");

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
        assertThat(r.out()).contains("args: one|two words|--address|\"quoted\"\\")
                .containsPattern("\\(lambda pid=\\d+\\) last words from a worker");
    }

    /** A script may hold the jshell commands that make sense in a file; /exit N ends it with status N. */
    @Test
    void aScriptsJshellCommandsRunAndExitEndsItWithItsStatus() throws Exception {
        Files.writeString(dir.resolve("more.jsh"), """
                System.out.println("opened, k is " + k);
                """);
        Files.writeString(dir.resolve("commands.jsh"), """
                /set feedback concise
                int k = 5;
                int twice(int x) { return 2 * x; }
                record P(int x) {}
                /open more.jsh
                /vars
                /methods
                /types
                /exit twice(k) - 7
                System.out.println("not reached");
                """);

        Result r = sonde(dir, "run", "commands.jsh");

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
        assertThat(r.out()).as(r.toString()).contains("opened, k is 5")
                .contains("|    int k = 5")
                .contains("|    int twice(int)")
                .contains("|    record P")
                .doesNotContain("not reached");
        assertThat(r.err()).as(r.toString()).doesNotContain("error");
    }

    @Test
    void aCommandAScriptCannotUseStopsItWithTheLineItIsOn() throws Exception {
        Files.writeString(dir.resolve("tasks.jsh"), """
                System.out.println("first");

                /tasks
                System.out.println("not reached");
                """);

        Result r = sonde(dir, "run", "tasks.jsh");

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("first").doesNotContain("not reached");
        assertThat(r.err()).startsWith("error in line 3 of tasks.jsh: /tasks is not a command a script can use;"
                + " a script may use /exit [N], /open FILE, /vars, /methods, /types, /imports, /list and /set");
    }

    @Test
    void aBinaryFileIsRefusedAsNotUtf8Text() throws Exception {
        byte[] classFile = {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 61};
        Files.write(dir.resolve("Compiled.java"), classFile);
        Files.write(dir.resolve("latin1.jsh"), "System.out.println(\"caf\u00e9\");".getBytes(StandardCharsets.ISO_8859_1));

        Result program = sonde(dir, "run", "Compiled.java");
        Result script = sonde(dir, "run", "latin1.jsh");

        assertThat(program.exitCode()).as(program.toString()).isEqualTo(2);
        assertThat(program.err()).as(program.toString())
                .startsWith("sonde run: Compiled.java is not a UTF-8 text file (byte 0 is 0xCA).")
                .contains("`sonde run` runs a JShell script (FILE.jsh) or a single-file Java program (Main.java),"
                        + " written as UTF-8 text")
                .doesNotContain("Input length");
        assertThat(script.exitCode()).as(script.toString()).isEqualTo(2);
        assertThat(script.err()).as(script.toString())
                .startsWith("sonde run: latin1.jsh is not a UTF-8 text file (byte 23 is 0xE9).");
    }

    /**
     * {@code sonde run /abs/path/Parked.java} from one directory, {@code sonde debug} from another
     * that holds no Parked.java: the debugger still lists the program's source.
     */
    @Test
    void theDebuggerShowsTheSourceOfAProgramRunByItsAbsolutePath() throws Exception {
        Path program = Files.createDirectories(dir.resolve("elsewhere")).resolve("Parked.java").toAbsolutePath();
        Files.writeString(program, """
                import io.sonde.Sonde;

                public class Parked {
                    static int square(int x) {
                        int y = x * x;
                        Sonde.breakpoint();
                        return y;
                    }

                    public static void main(String[] args) {
                        System.out.println("square " + Sonde.get(Sonde.task(Parked::square, 7).remote()));
                    }
                }
                """);
        Path runOutput = dir.resolve("parked-run.out");
        Process run = start(root, runOutput, "run", program.toString());
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!(Files.exists(runOutput) && Files.readString(runOutput).contains("breakpoint at Parked.java:6"))) {
                assertThat(run.isAlive()).as("sonde run ended before its task stopped").isTrue();
                assertThat(System.nanoTime()).as("the task never stopped at its breakpoint").isLessThan(deadline);
                Thread.sleep(100);
            }
            Path debugOutput = dir.resolve("parked-debug.out");
            Process debug = start(Files.createDirectories(dir.resolve("somewhere-else")), debugOutput, "debug");
            try (var stdin = debug.getOutputStream()) {
                stdin.write("0\nlist\ncontinue\nquit\n".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(debug.waitFor(60, TimeUnit.SECONDS)).as("sonde debug ends").isTrue();
            assertThat(run.waitFor(60, TimeUnit.SECONDS)).as("sonde run ends").isTrue();
            String debugged = Files.readString(debugOutput);
            assertThat(debugged).as(debugged).contains("Stopped at Parked.square (Parked.java:6).")
                    .contains("=>  6          Sonde.breakpoint();")
                    .contains("    7          return y;")
                    .doesNotContain("source not found");
            assertThat(Files.readString(runOutput)).contains("square 49");
        } finally {
            run.descendants().forEach(ProcessHandle::destroyForcibly);
            run.destroyForcibly();
        }
    }

    /**
     * A single-file program, whose classes exist only in memory (the driver compiled them and
     * ships them to workers): {@code sonde debug} compiles Java against them in the stopped frame
     * (the program's record, a lambda, varargs), and {@code !} changes a local the task returns.
     */
    @Test
    void theDebuggerCompilesJavaAgainstASingleFileProgramsInMemoryClasses() throws Exception {
        Path program = Files.createDirectories(dir.resolve("compiled")).resolve("Shapes.java").toAbsolutePath();
        Files.writeString(program, """
                import io.sonde.Sonde;
                import java.util.List;

                public class Shapes {
                    record Point(int x, int y) {
                        int sum() {
                            return x + y;
                        }
                    }

                    static int area(int side) {
                        List<Point> points = List.of(new Point(1, 2), new Point(side, side));
                        int y = side * side;
                        Sonde.breakpoint();
                        return y;
                    }

                    public static void main(String[] args) {
                        System.out.println("area " + Sonde.get(Sonde.task(Shapes::area, 7).remote()));
                    }
                }
                """);
        Path runOutput = dir.resolve("shapes-run.out");
        Process run = start(root, runOutput, "run", program.toString());
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!(Files.exists(runOutput) && Files.readString(runOutput).contains("breakpoint at Shapes.java:14"))) {
                assertThat(run.isAlive()).as("sonde run ended before its task stopped").isTrue();
                assertThat(System.nanoTime()).as("the task never stopped at its breakpoint").isLessThan(deadline);
                Thread.sleep(100);
            }
            Path debugOutput = dir.resolve("shapes-debug.out");
            Process debug = start(dir, debugOutput, "debug");
            try (var stdin = debug.getOutputStream()) {
                stdin.write(String.join("\n", "0",
                        "p points.stream().map(Point::sum).toList()",
                        "p -v new Point(y, 1).sum()",
                        "p String.format(\"%s=%d\", \"y\", y)",
                        "p points.stream().mapToInt(p -> p.nosuch()).sum()",
                        "! y = y + 1;",
                        "continue", "quit", "").getBytes(StandardCharsets.UTF_8));
            }
            assertThat(debug.waitFor(120, TimeUnit.SECONDS)).as("sonde debug ends").isTrue();
            assertThat(run.waitFor(60, TimeUnit.SECONDS)).as("sonde run ends").isTrue();
            String debugged = Files.readString(debugOutput);
            assertThat(debugged).as(debugged)
                    .contains("points.stream().map(Point::sum).toList() = [3, 14]")
                    .contains("new Point(y, 1).sum() = 50\n(compiled path: javac compiled it")
                    .contains("String.format(\"%s=%d\", \"y\", y) = \"y=49\"")
                    .contains("error: cannot find symbol\n    points.stream().mapToInt(p -> p.nosuch()).sum()\n"
                            + "                                   ^\n  symbol:   method nosuch()")
                    .contains("y = 50");
            assertThat(Files.readString(runOutput)).contains("area 50");
        } finally {
            run.descendants().forEach(ProcessHandle::destroyForcibly);
            run.destroyForcibly();
        }
    }

    @Test
    void aFileThatIsNeitherAScriptNorAProgramIsAUsageError() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "hello");

        Result r = sonde(dir, "run", "notes.txt");

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("runs a JShell script (.jsh) or a single-file Java program (.java)");
    }

    record Result(int exitCode, String out, String err) {
        String all() {
            return out + err;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    /** {@code sonde ARGS} in a child JVM started as the launcher starts it, in {@code workDir}. */
    static Result sonde(Path workDir, String... args) throws IOException, InterruptedException {
        Process p = builder(workDir, args).start();
        p.getOutputStream().close();
        CompletableFuture<String> out = read(p.getInputStream());
        CompletableFuture<String> err = read(p.getErrorStream());
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    /**
     * {@code sonde ARGS} started as by {@link #sonde}, its stdout and stderr going to
     * {@code output} while it runs; its stdin is left open for the caller.
     */
    static Process start(Path workDir, Path output, String... args) throws IOException {
        return builder(workDir, args).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    /** The child JVM: the classes the launcher runs, a private TMPDIR shared by this test's runs, no SONDE_ADDRESS. */
    private static ProcessBuilder builder(Path workDir, String... args) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", classpath, SondeMain.class.getName()));
        command.addAll(List.of(args));
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().remove("SONDE_ADDRESS");
        pb.environment().remove("SONDE_DEDUP_LOGS");
        pb.environment().put("TMPDIR", tmp.toString());
        return pb;
    }

    /** Reads a child's stream on a thread of its own, so that neither of its pipes fills up. */
    private static CompletableFuture<String> read(InputStream in) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (in) {
                text.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.complete("(could not read: " + e + ")");
            }
        }, "sonde-run-test-reader");
        t.setDaemon(true);
        t.start();
        return text;
    }
}
