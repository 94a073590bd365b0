package io.sonde.cli.bench;

import io.sonde.Sonde;
import io.sonde.debugger.DebugSession;
import io.sonde.debugger.proto.BreakpointInfo;

import java.util.Locale;

/**
 * How quickly the debugger answers, on tasks parked at {@code Sonde.breakpoint()} one after
 * another on the benchmark's cluster (real worker JVMs, real JDWP). Each repetition parks one
 * task, measures, and lets the task go through the debugger ({@code continue}), then waits for
 * its result and for the node to drop its breakpoint, so nothing stays parked; a repetition that
 * fails cancels its task. The metric fails with a clear message if the debugger is off.
 *
 * <ul>
 *   <li>{@code breakpoint_notice_ms}: from the task's call to {@code Sonde.breakpoint()} to the
 *       driver's receipt of the breakpoint notice (the node lists the breakpoint just before it
 *       sends the notice). The two ends are in different JVMs, so both are wall-clock times of the
 *       same machine ({@link BenchFunctions#wallMicros()}): the task takes the time just before
 *       its call and returns it as its result; the driver's breakpoint listener takes the time
 *       when the notice arrives.</li>
 *   <li>{@code debugger_attach_ms}: from {@code DebugSession.attach} on the listed breakpoint to
 *       the answer of {@code frame()}, what the first {@code (sdb)} prompt needs: JDWP connection,
 *       finding the parked thread, stopping it at an event in the park.</li>
 *   <li>{@code debugger_step_ms}: one {@code next} ({@code Step.OVER}) in the body of a loop in
 *       the task's frame, {@value #STEPS} per parked task. The first {@code next} after attaching,
 *       which leaves {@code Sonde.breakpoint()} (it sets the park's {@code resume} and steps out of
 *       Sonde's frames), is not one of them; the note gives its mean.</li>
 *   <li>{@code debugger_eval_ms}: {@code print x}, a simple name, which Sonde's evaluator answers
 *       without compiling (the fast path), {@value #STEPS} per parked task.</li>
 *   <li>{@code debugger_eval_compiled_first_ms}: the first {@code print} of a stream expression
 *       with lambdas ({@link #STREAM}) in a session: javac compiles it in the driver and the class
 *       is defined in the worker, then called. The warm-up rounds pay the first compilation of
 *       the JVM (javac's classes load then).</li>
 *   <li>{@code debugger_eval_compiled_ms}: the same expression again, {@value #STEPS} times: the
 *       compiled class is called, nothing is compiled.</li>
 * </ul>
 *
 * Times in the driver are {@code System.nanoTime()} differences. The first attach of this JVM, in
 * a warm-up, is slower (JDI's classes load then); {@code sonde debug}, a new JVM each time, pays
 * that once per run: the attach metric's note gives it.
 */
final class DebuggerLatency implements Metric {
    enum Kind {
        NOTICE("breakpoint_notice_ms", 300, "breakpoints"),
        ATTACH("debugger_attach_ms", 300, "attaches"),
        STEP("debugger_step_ms", 50, "steps"),
        EVAL("debugger_eval_ms", 5, "evaluations of a simple name, fast path"),
        EVAL_COMPILED_FIRST("debugger_eval_compiled_first_ms", 300, "first evaluations of a stream expression, compiled"),
        EVAL_COMPILED("debugger_eval_compiled_ms", 50, "repeated evaluations of a stream expression, compiled");

        final String metric;
        final double targetMillis;
        final String samples;

        Kind(String metric, double targetMillis, String samples) {
            this.metric = metric;
            this.targetMillis = targetMillis;
            this.samples = samples;
        }
    }

    /** Timed {@code next}s per parked task. */
    static final int STEPS = 10;
    /** Iterations of the stepped loop: far more than {@value #STEPS} steps reach. */
    private static final int LOOP = 1_000_000;

    /** The first attach of this JVM, whichever metric made it: JDI's classes load then. */
    private static double firstAttachMillis = Double.NaN;

    private final Kind kind;
    private Rounds.Latencies last;
    private double leaveParkSum;
    private int leaveParkCount;

    DebuggerLatency(Kind kind) {
        this.kind = kind;
    }

    @Override
    public String name() {
        return kind.metric;
    }


    @Override
    public Measurement measure(Plan plan) throws Exception {
        ParkedTask.requireDebugger(name());
        ParkedTask.Notices notices = ParkedTask.Notices.install();
        leaveParkSum = 0;
        leaveParkCount = 0;
        last = Rounds.latency(plan, () -> switch (kind) {
            case NOTICE -> notice(notices);
            case ATTACH -> attach(notices);
            case STEP -> steps(notices);
            case EVAL, EVAL_COMPILED_FIRST, EVAL_COMPILED -> evaluations(notices);
        });
        return last.measurement();
    }

    private static double[] notice(ParkedTask.Notices notices) {
        try (ParkedTask<Long> p = ParkedTask.submit(notices, "bench_breakpoint_notice",
                name -> Sonde.task(BenchFunctions::parkedAt).name(name).remote());
             Attached a = attach(p)) {
            long calledAt = p.letGo(a.session());
            return new double[] {(p.notice().receivedMicros() - calledAt) / 1e3};
        }
    }

    private static double[] attach(ParkedTask.Notices notices) {
        try (ParkedTask<Long> p = ParkedTask.submit(notices, "bench_debugger_attach",
                name -> Sonde.task(BenchFunctions::parkedAt).name(name).remote());
             Attached a = attach(p)) {
            p.letGo(a.session());
            return new double[] {a.millis()};
        }
    }

    private double[] steps(ParkedTask.Notices notices) {
        try (ParkedTask<Long> p = ParkedTask.submit(notices, "bench_debugger_step",
                name -> Sonde.task(BenchFunctions::parkedLoop, LOOP).name(name).remote());
             Attached a = attach(p)) {
            DebugSession s = a.session();
            long start = System.nanoTime();
            inLoop(s.step(DebugSession.Step.OVER), 0);
            leaveParkSum += (System.nanoTime() - start) / 1e6;
            leaveParkCount++;
            double[] millis = new double[STEPS];
            for (int i = 0; i < STEPS; i++) {
                start = System.nanoTime();
                DebugSession.StepResult r = s.step(DebugSession.Step.OVER);
                millis[i] = (System.nanoTime() - start) / 1e6;
                inLoop(r, i + 1);
            }
            p.letGo(s);
            return millis;
        }
    }

    /** The stream expression the compiled figures evaluate: javac compiles it (a lambda), nothing else reads it. */
    static final String STREAM = "list.stream().map(v -> v * 2).filter(v -> v > x).count()";

    /**
     * {@code print x} ({@value #STEPS} times, the fast path), or {@link #STREAM} once in a new
     * session (compiled: javac and defining the class in the worker) and {@value #STEPS} times
     * more (the compiled class called again).
     */
    private double[] evaluations(ParkedTask.Notices notices) {
        try (ParkedTask<Integer> p = ParkedTask.submit(notices, "bench_debugger_eval",
                name -> Sonde.task(BenchFunctions::parkedWithList, 20).name(name).remote());
             Attached a = attach(p)) {
            DebugSession s = a.session();
            double[] millis = kind == Kind.EVAL_COMPILED_FIRST ? new double[1] : new double[STEPS];
            String expression = kind == Kind.EVAL ? "x" : STREAM;
            String expected = kind == Kind.EVAL ? "20" : "10";
            if (kind == Kind.EVAL_COMPILED) {
                check(s.evaluate(expression), expected);
            }
            for (int i = 0; i < millis.length; i++) {
                long start = System.nanoTime();
                String value = s.evaluate(expression);
                millis[i] = (System.nanoTime() - start) / 1e6;
                check(value, expected);
            }
            p.letGo(s);
            return millis;
        }
    }

    private void check(String value, String expected) {
        if (!value.equals(expected)) {
            throw new IllegalStateException(kind.metric + ": the expression gave " + value + ", not " + expected);
        }
    }

    /** A session ready for the first prompt, and how long that took. Closing it lets the task go. */
    private record Attached(DebugSession session, double millis) implements AutoCloseable {
        @Override
        public void close() {
            session.close();
        }
    }

    /**
     * Attaches to the listed breakpoint, timed from {@code DebugSession.attach} to the answer of
     * {@code frame()}. The node's list is read before the clock starts, as {@code sonde debug}
     * shows it before one picks an index.
     */
    private static Attached attach(ParkedTask<?> p) {
        BreakpointInfo b = p.listed();
        long start = System.nanoTime();
        DebugSession s = DebugSession.attach(ParkedTask.source(), b, ParkedTask.TIMEOUT);
        try {
            s.frame();
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        double millis = (System.nanoTime() - start) / 1e6;
        synchronized (DebuggerLatency.class) {
            if (Double.isNaN(firstAttachMillis)) {
                firstAttachMillis = millis;
            }
        }
        return new Attached(s, millis);
    }

    private static void inLoop(DebugSession.StepResult r, int step) {
        if (!r.stopped() || !r.frame().method().equals("parkedLoop")) {
            throw new IllegalStateException("next #" + step + " did not stop in the stepped loop: "
                    + (r.stopped() ? "stopped at " + r.frame().describe() : r.message()));
        }
    }

    @Override
    public String note() {
        String note = String.format(Locale.ROOT, "target < %.0f ms", kind.targetMillis);
        Rounds.Latencies l = last;
        if (l == null || l.samples().length == 0) {
            return note;
        }
        note += "; " + l.samples().length + " " + kind.samples + ", " + Microbenchmark.number(l.min()) + " to "
                + Microbenchmark.number(l.max()) + " ms";
        if (kind == Kind.ATTACH) {
            double first;
            synchronized (DebuggerLatency.class) {
                first = firstAttachMillis;
            }
            note += "; the first in this JVM " + Microbenchmark.number(first) + " ms";
        } else if (kind == Kind.STEP && leaveParkCount > 0) {
            note += "; the first next, out of the park, " + Microbenchmark.number(leaveParkSum / leaveParkCount) + " ms";
        }
        return note;
    }
}
