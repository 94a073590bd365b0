package io.sonde.shell.repl;

import io.sonde.ObjectRef;
import io.sonde.proto.CancelOutcome;
import io.sonde.tooling.DriverClient;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.VarSnippet;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A JShell whose snippets run in this JVM (the driver) against the Sonde runtime, with Sonde's
 * imports in place. Code typed at the prompt that becomes a task runs on workers: the classes
 * JShell defines are published to them, and top-level variables a task reads travel with it.
 *
 * <p>Sonde must be initialized before {@link #start} (or {@link #attach}, after
 * {@link #create}); the engine does not own the cluster. Not thread-safe, like {@link JShell}:
 * one thread evaluates; {@link #stop()} and {@link #cancelRunning} may be called from another
 * (Ctrl-C) to interrupt a running snippet.
 */
public final class ShellEngine implements AutoCloseable {
    /** What every session starts with, as the {@code jshell} tool's default startup does. */
    public static final List<String> PREAMBLE = List.of(
            "import io.sonde.*;",
            "import static io.sonde.Sonde.*;",
            "import java.time.*;",
            "import java.util.*;",
            "import java.util.stream.*;",
            "import java.util.function.*;");

    private final JShell jshell;
    private final SnippetClasses classes;
    /** Tasks submitted while the current snippet runs; cancelled by {@link #cancelRunning}. */
    private final List<ObjectRef<?>> started = new java.util.concurrent.CopyOnWriteArrayList<>();
    private boolean attached;
    private InputStream previousIn;
    private PrintStream previousOut;
    private PrintStream previousErr;
    private PrintStream out;
    private PrintStream err;

    private ShellEngine(JShell jshell, SnippetClasses classes) {
        this.jshell = jshell;
        this.classes = classes;
    }

    /**
     * Creates the engine and attaches it to the running Sonde client ({@link #create} then
     * {@link #attach}).
     *
     * @param in  what snippets read from System.in
     * @param out where snippets' System.out goes
     * @param err where snippets' System.err goes
     */
    public static ShellEngine start(InputStream in, PrintStream out, PrintStream err) {
        ShellEngine engine = create(in, out, err);
        engine.attach();
        return engine;
    }

    /**
     * Starts JShell and evaluates the {@link #PREAMBLE}, without touching Sonde: starting the
     * compiler is most of a shell's start-up, so a shell does this while the cluster starts and
     * calls {@link #attach} once {@code Sonde.init} returned. Snippets that submit tasks need
     * {@link #attach} first.
     */
    public static ShellEngine create(InputStream in, PrintStream out, PrintStream err) {
        SnippetClasses classes = new SnippetClasses();
        JShell jshell = JShell.builder()
                .in(in).out(out).err(err)
                .executionEngine(classes.executionControlProvider(), java.util.Map.of())
                // -g: local variable names, for the debugger's locals and print in snippet code
                .compilerOptions("-parameters", "-g")
                .build();
        ShellEngine engine = new ShellEngine(jshell, classes);
        engine.redirect(in, out, err);
        for (String s : PREAMBLE) {
            engine.eval(s);
        }
        return engine;
    }

    /**
     * Makes workers load snippet classes from this engine and ship the variables tasks read, and
     * starts tracking the tasks each snippet submits. Needs {@code Sonde.init} first; once only.
     */
    public synchronized void attach() {
        if (attached) {
            return;
        }
        classes.attach();
        DriverClient.current().setSubmissionListener(started::add);
        attached = true;
    }

    /** Evaluates one complete snippet (see {@link SourceCodeAnalysis#analyzeCompletion}). */
    public List<SnippetEvent> eval(String snippet) {
        started.clear();
        classes.beforeEval();
        try {
            return jshell.eval(snippet);
        } finally {
            classes.evaluated();
        }
    }

    /** Whether the snippet being evaluated (between snippets: the last one) submitted the task with this id. */
    public boolean started(String taskId) {
        for (ObjectRef<?> r : started) {
            if (r.id().equals(taskId)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Ctrl-C while a snippet runs or waits: cancels the tasks it started (and theirs), then stops
     * it; a snippet JShell is still compiling stops before its code starts. Returns the node's
     * answers, one per task cancelled (see {@link CancelReport#await}): a task that ignores
     * interrupts still runs after a soft cancel, which the answer says; with {@code force}
     * their workers are killed.
     *
     * <p>Stopping is a request: the engine stops the snippet's thread, and only that thread, as
     * {@code Thread.stop} does (or, on newer JDKs, JShell stops it at the loops of snippet code),
     * which code that catches {@code ThreadDeath}, or a long call into the JDK, does not obey at
     * once or at all. Whether the snippet really ended shows when {@link #eval} returns;
     * {@link #stopped()} then says whether it was stopped.
     */
    public List<CompletableFuture<CancelOutcome>> cancelRunning(boolean force) {
        List<CompletableFuture<CancelOutcome>> outcomes = cancelStarted(force);
        classes.requestStop();
        jshell.stop();
        return outcomes;
    }

    /**
     * Cancels the tasks the snippet evaluated last started (and theirs), without stopping the
     * snippet: a second Ctrl-C at the prompt forces the cancel of tasks that ignored the first.
     */
    public List<CompletableFuture<CancelOutcome>> cancelStarted(boolean force) {
        List<ObjectRef<?>> refs = List.copyOf(started);
        if (refs.isEmpty()) {
            return List.of();
        }
        DriverClient client = DriverClient.current();
        List<CompletableFuture<CancelOutcome>> outcomes = new java.util.ArrayList<>(refs.size());
        for (ObjectRef<?> ref : refs) {
            outcomes.add(client.cancel(ref, force, true));
        }
        return outcomes;
    }

    /** Whether the snippet evaluated last was stopped ({@link #cancelRunning}) rather than ending by itself. */
    public boolean stopped() {
        return classes.stopped();
    }

    /**
     * The current value of a top-level variable ({@code var r = task(...).remote()}), as the
     * object itself rather than JShell's string: what {@code /cancel r} or {@code /kill counter}
     * act on. Empty when no valid variable has that name or its value is null. Call it from the
     * thread that evaluates, between snippets.
     */
    public Optional<Object> valueOf(String variable) {
        Optional<VarSnippet> v = jshell.variables()
                .filter(s -> s.name().equals(variable) && jshell.status(s) == Snippet.Status.VALID)
                .reduce((first, second) -> second);
        return v.flatMap(s -> classes.value(jshell, s));
    }

    /** The snippets typed into this engine, oldest first: all of JShell's but the {@link #PREAMBLE}. */
    public List<Snippet> userSnippets() {
        return jshell.snippets().skip(PREAMBLE.size()).toList();
    }

    /** The active top-level variables, newest last, with the type JShell gives them. */
    public List<VarSnippet> variables() {
        return jshell.variables().filter(s -> jshell.status(s).isActive()).toList();
    }

    /** Maps {@code REPL.$JShell$12} frames of a stack trace back to the snippets typed. */
    public SnippetLocator locator() {
        return new SnippetLocator(jshell);
    }

    public JShell jshell() {
        return jshell;
    }

    public SourceCodeAnalysis analysis() {
        return jshell.sourceCodeAnalysis();
    }

    /** Interrupts the snippet being evaluated, as Ctrl-C does in the jshell tool; {@link #stopped()} then says so. */
    public void stop() {
        classes.requestStop();
        jshell.stop();
    }

    /**
     * Snippets run in this JVM, so what they print goes to this process's {@code System.out}:
     * JShell's in-process engine does not use the streams given to its builder. While the engine
     * is open, System.in/out/err are the engine's streams (background threads a snippet started
     * included); {@link #close} puts the previous ones back.
     */
    private void redirect(InputStream in, PrintStream out, PrintStream err) {
        previousIn = System.in;
        previousOut = System.out;
        previousErr = System.err;
        this.out = out;
        this.err = err;
        System.setIn(in);
        System.setOut(out);
        System.setErr(err);
    }

    @Override
    public void close() {
        jshell.close();
        out.flush();
        err.flush();
        if (System.out == out) {
            System.setOut(previousOut);
        }
        if (System.err == err) {
            System.setErr(previousErr);
        }
        System.setIn(previousIn);
    }
}
