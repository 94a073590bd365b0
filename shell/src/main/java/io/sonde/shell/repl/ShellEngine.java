package io.sonde.shell.repl;

import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.internal.SondeRuntime;
import jdk.jshell.JShell;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;

/**
 * A JShell whose snippets run in this JVM (the driver) against the Sonde runtime, with Sonde's
 * imports in place. Code typed at the prompt that becomes a task runs on workers: the classes
 * JShell defines are published to them, and top-level variables a task reads travel with it.
 *
 * <p>Sonde must be initialized before {@link #start}; the engine does not own the cluster.
 * Not thread-safe, like {@link JShell}: one thread evaluates; {@link #stop()} may be called from
 * another (Ctrl-C) to interrupt a running snippet.
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
    /** Tasks submitted while the current snippet runs; cancelled by {@link #cancelRunning()}. */
    private final List<ObjectRef<?>> started = new java.util.concurrent.CopyOnWriteArrayList<>();

    private ShellEngine(JShell jshell, SnippetClasses classes) {
        this.jshell = jshell;
        this.classes = classes;
    }

    /**
     * @param in  what snippets read from System.in
     * @param out where snippets' System.out goes
     * @param err where snippets' System.err goes
     */
    public static ShellEngine start(InputStream in, PrintStream out, PrintStream err) {
        SnippetClasses classes = new SnippetClasses();
        JShell jshell = JShell.builder()
                .in(in).out(out).err(err)
                .executionEngine(classes.executionControlProvider(), java.util.Map.of())
                .compilerOptions("-parameters")
                .build();
        ShellEngine engine = new ShellEngine(jshell, classes);
        for (String s : PREAMBLE) {
            engine.eval(s);
        }
        classes.attach();
        SondeRuntime.client().setSubmissionListener(engine.started::add);
        return engine;
    }

    /** Evaluates one complete snippet (see {@link SourceCodeAnalysis#analyzeCompletion}). */
    public List<SnippetEvent> eval(String snippet) {
        started.clear();
        try {
            return jshell.eval(snippet);
        } finally {
            classes.evaluated();
        }
    }

    /**
     * Ctrl-C while a snippet waits: cancels the tasks it started (and theirs), then interrupts it.
     * Returns how many tasks were cancelled.
     */
    public int cancelRunning() {
        List<ObjectRef<?>> refs = List.copyOf(started);
        for (ObjectRef<?> ref : refs) {
            Sonde.cancel(ref, false, true);
        }
        jshell.stop();
        return refs.size();
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

    /** Interrupts the snippet being evaluated, as Ctrl-C does in the jshell tool. */
    public void stop() {
        jshell.stop();
    }

    @Override
    public void close() {
        jshell.close();
    }
}
