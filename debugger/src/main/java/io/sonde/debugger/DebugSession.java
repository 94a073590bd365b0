package io.sonde.debugger;

import io.sonde.debugger.plugin.FrameFilter;
import com.sun.jdi.AbsentInformationException;
import com.sun.jdi.Bootstrap;
import com.sun.jdi.IncompatibleThreadStateException;
import com.sun.jdi.InvalidStackFrameException;
import com.sun.jdi.LocalVariable;
import com.sun.jdi.Location;
import com.sun.jdi.Method;
import com.sun.jdi.ObjectCollectedException;
import com.sun.jdi.ObjectReference;
import com.sun.jdi.StackFrame;
import com.sun.jdi.ThreadReference;
import com.sun.jdi.VMDisconnectedException;
import com.sun.jdi.Value;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.event.BreakpointEvent;
import com.sun.jdi.event.Event;
import com.sun.jdi.event.EventSet;
import com.sun.jdi.event.LocatableEvent;
import com.sun.jdi.event.StepEvent;
import com.sun.jdi.event.VMDeathEvent;
import com.sun.jdi.event.VMDisconnectEvent;
import com.sun.jdi.request.BreakpointRequest;
import com.sun.jdi.request.EventRequest;
import com.sun.jdi.request.EventRequestManager;
import com.sun.jdi.request.StepRequest;
import io.sonde.debugger.compile.CannotCompile;
import io.sonde.debugger.compile.JavaExpressions;
import io.sonde.debugger.expr.Evaluator;
import io.sonde.debugger.expr.Invoker;
import io.sonde.debugger.expr.Mirrors;
import io.sonde.debugger.expr.ParseException;
import io.sonde.debugger.expr.ValueRenderer;
import io.sonde.debugger.proto.BreakpointInfo;
import io.sonde.debugger.plugin.BreakpointPark;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One debugger attached over JDWP to the worker of a task parked at {@code Sonde.breakpoint()}:
 * the user's frames, their locals, expressions, steps, and letting the task go.
 *
 * <h2>How the task's thread is held</h2>
 * The task waits in {@code BreakpointPark.park()}, a loop of 20 ms {@code parkNanos} that ends
 * when its local {@code resume} turns true. JDI can call methods on a thread ({@code print
 * name.length()}) only if the thread was suspended by a JDI event, not merely by
 * {@code ThreadReference.suspend()}. So on attach the session sets a breakpoint, filtered to the
 * task's thread, on every line of {@code park()}: within 20 ms {@code parkNanos} returns, the
 * loop reaches its next line and the thread stops there at a breakpoint event. Breakpoints on all
 * of the method's lines, rather than on the one after the {@code parkNanos} call, do not depend
 * on how the compiler laid out the loop. The requests are deleted at once; the thread stays
 * suspended by that event, in the park, until the session steps or lets it go.
 *
 * <h2>Frames</h2>
 * {@link FrameFilter} hides Sonde's, the JDK's and the libraries' frames: frame 0 is the frame that
 * called {@code Sonde.breakpoint()}, and {@link #frames()} lists the user's frames only.
 *
 * <h2>Steps</h2>
 * The first step from the park sets {@code resume} and steps out of Sonde's frames back to the
 * user's frame, to the point just after the {@code Sonde.breakpoint()} call; then it steps as
 * asked. Step requests carry {@link FrameFilter#EXCLUDED} as class exclusion filters, so the
 * agent does not stop in the JDK or in Sonde: a step into {@code list.forEach(x -> ...)} stops in
 * the lambda. A step that ends in a lambda's hidden class (no pattern can name those) steps on
 * until it is back in the user's code. When the user's code returns to Sonde (the task's function
 * has returned or thrown), the agent, which only reports steps outside the excluded classes, would
 * step on silently; the session therefore looks at the thread every {@value #GUARD_MILLIS} ms
 * while a step or a {@code continue} runs: once no user frame is left on its stack, it ends the
 * step and lets the task go on; if the task parked at another {@code Sonde.breakpoint()}, it
 * stops there as on attach.
 *
 * <h2>How it reaches the worker</h2>
 * The worker holds the only connection to its own JDWP agent and shares it ({@code JdwpRouter});
 * the session is one more client of it, through the node that lists the stop: its packets travel
 * in the node's Jdwp stream ({@link BreakpointSource#jdwp}), authenticated as every call to the
 * node is. Leaving ({@code dispose}) undoes only this session's requests and suspensions. The
 * session checks that the parked thread's worker has the breakpoint's pid.
 *
 * <p>Not thread-safe: one console drives one session.
 */
public final class DebugSession implements AutoCloseable {
    /** {@code step}, {@code next}, {@code finish}. */
    public enum Step { INTO, OVER, OUT }

    /** One of the user's frames, 0 being the innermost. */
    public record Frame(int index, String className, String method, String file, String sourcePath, int line) {
        /** {@code Tasks.square (Tasks.java:12)}. */
        public String describe() {
            return Mirrors.simpleName(className) + "." + method + " (" + file + (line > 0 ? ":" + line : "") + ")";
        }
    }

    /** A local variable (or {@code this}) of the selected frame, its value rendered. */
    public record Variable(String name, String type, String value) {
    }

    /** A thread of the worker; {@code task} marks the task's thread. */
    public record ThreadInfo(String name, String status, boolean suspended, boolean task) {
    }

    /**
     * Where a step ended: {@code stopped} with the thread stopped in the user's code at
     * {@code frame}, or not, when the task's function returned (the task goes on and the session
     * is detached); {@code message} says which.
     */
    public record StepResult(boolean stopped, Frame frame, String message) {
    }

    /** How often a running step checks that the task's function has not returned. */
    static final long GUARD_MILLIS = 200;
    private static final String PARK_CLASS = BreakpointPark.class.getName();

    private final BreakpointInfo info;
    private final VirtualMachine vm;
    private final ThreadReference thread;
    private final EventRequestManager requests;
    private boolean attached = true;
    /** The thread is still in the park: continuing means setting {@code resume}. */
    private boolean parked = true;
    /** Raw indexes (into {@code thread.frames()}) of the user's frames, innermost first. */
    private List<Integer> userFrames = List.of();
    private int selected;
    private final LineBreakpoints lineBreakpoints;
    /** The compiled path of expressions; made on first use. */
    private JavaExpressions compiled;
    /** The import lines of a frame's source file, for compiled expressions. */
    private java.util.function.Function<Frame, List<String>> imports = f -> List.of();
    /** The imports of the frames' source files, by class. */
    private final Map<String, List<String>> importsByClass = new java.util.HashMap<>();
    /** Set while an expression runs in the worker, for {@link #interruptEvaluation}. */
    private volatile boolean evaluating;
    /** {@code display} expressions by number. */
    private final java.util.TreeMap<Integer, String> displays = new java.util.TreeMap<>();
    private int nextDisplay = 1;
    /** {@code watch} requests, with what they watch ({@code Tasks.count}). */
    private final Map<com.sun.jdi.request.ModificationWatchpointRequest, String> watches = new java.util.LinkedHashMap<>();
    /** Why the last guarded wait ended without its event; null if it did not. */
    private GuardFinding guardFound;
    /** Set while stepping out of the park, where the guard must not take the park for a new one. */
    private boolean leavingPark;

    private enum GuardFinding { ENDED, PARKED }

    private DebugSession(BreakpointInfo info, VirtualMachine vm, ThreadReference thread) {
        this.info = info;
        this.vm = vm;
        this.thread = thread;
        this.requests = vm.eventRequestManager();
        this.lineBreakpoints = new LineBreakpoints(vm, thread);
    }

    /**
     * Attaches to the worker of a listed breakpoint, through the node that lists it ({@code
     * source}'s JDWP tunnel), and stops its task thread at an event in the park. Throws
     * {@link DebugException} if the worker cannot be reached or the task is no longer parked.
     */
    public static DebugSession attach(BreakpointSource source, BreakpointInfo b, Duration timeout) {
        VirtualMachine vm;
        com.sun.jdi.connect.spi.Connection connection = source.jdwp(b);
        try {
            vm = Bootstrap.virtualMachineManager().createVirtualMachine(connection);
        } catch (IOException | VMDisconnectedException | IllegalStateException e) {
            // IllegalStateException: the node refused the tunnel before JDI began ("connection is not open")
            try {
                connection.close();
            } catch (IOException ignored) {
                // ended already
            }
            throw cannotAttach(b, connection, e);
        }
        ThreadReference thread;
        try {
            thread = parkedThread(vm, b);
        } catch (WrongWorker e) {
            dispose(vm);
            throw new DebugException(b.getDriver() ? "The JVM reached for the driver is not the driver (pid "
                    + b.getPid() + ")." : "The worker reached for task " + b.getTaskName() + " is not its worker (pid "
                    + b.getPid() + ").");
        } catch (VMDisconnectedException e) {
            throw cannotAttach(b, connection, e);
        } catch (RuntimeException e) {
            dispose(vm);
            throw e;
        }
        try {
            DebugSession s = new DebugSession(b, vm, thread);
            s.stopInPark(thread, timeout);
            if (b.getReason() == io.sonde.debugger.proto.StopReason.REMOTE) {
                s.runToEntry(timeout);
            }
            return s;
        } catch (RuntimeException e) {
            dispose(vm);
            throw e;
        }
    }

    /** The worker answers as another JVM than the breakpoint's (a check: the node names the worker). */
    private static final class WrongWorker extends RuntimeException {
        WrongWorker() {
            super(null, null, false, false);
        }
    }

    private static DebugException cannotAttach(BreakpointInfo b, com.sun.jdi.connect.spi.Connection c, Exception e) {
        String why = c instanceof JdwpTunnel t && t.failure() != null ? t.failure() : e.getMessage();
        if (b.getDriver()) {
            return new DebugException("Cannot attach to the driver (pid " + b.getPid() + "): " + why
                    + ". Has the driver exited? Press Enter to refresh the list.", e);
        }
        return new DebugException("Cannot attach to the worker of task " + b.getTaskName() + " (pid " + b.getPid()
                + "): " + why + ". Has the worker exited?", e);
    }

    /**
     * The thread named in the breakpoint that is in {@code BreakpointPark.park()}, left suspended.
     * Throws {@link WrongWorker} if the JVM is not the breakpoint's worker: {@code BreakpointPark}
     * holds its process's pid.
     */
    private static ThreadReference parkedThread(VirtualMachine vm, BreakpointInfo b) {
        // The park's own list first: it spares a round trip per thread of the worker (its name),
        // which an attach through the tunnel pays, and a new JVM's first round trips cost milliseconds.
        // Every thread after it: a task that reported its stop may not have entered the park yet.
        ThreadReference t = parkedAmong(listedInPark(vm), b);
        if (t == null) {
            t = parkedAmong(vm.allThreads(), b);
        }
        if (t == null) {
            throw new DebugException("Task " + b.getTaskName() + " is no longer parked at its breakpoint: it went on"
                    + " (another debugger let it go, or it was cancelled). Press Enter to refresh the list.");
        }
        return t;
    }

    /** The thread of {@code threads} named in the breakpoint that is in the park, left suspended; or null. */
    private static ThreadReference parkedAmong(List<ThreadReference> threads, BreakpointInfo b) {
        for (ThreadReference t : threads) {
            if (!t.name().equals(b.getThreadName())) {
                continue;
            }
            t.suspend();
            try {
                int park = parkFrame(t);
                if (park >= 0) {
                    long pid = workerPid(t, park);
                    if (pid > 0 && b.getPid() > 0 && pid != b.getPid()) {
                        t.resume();
                        throw new WrongWorker();
                    }
                    return t;
                }
            } catch (IncompatibleThreadStateException ignored) {
                // it ended meanwhile
            }
            t.resume();
        }
        return null;
    }

    /** The threads {@code BreakpointPark.parked} lists; empty if it cannot be read (a worker of another version). */
    private static List<ThreadReference> listedInPark(VirtualMachine vm) {
        try {
            for (com.sun.jdi.ReferenceType park : vm.classesByName(PARK_CLASS)) {
                com.sun.jdi.Field f = park.fieldByName(BreakpointPark.PARKED_FIELD);
                if (f != null && park.getValue(f) instanceof com.sun.jdi.ArrayReference a) {
                    List<ThreadReference> threads = new ArrayList<>();
                    for (com.sun.jdi.Value v : a.getValues()) {
                        if (v instanceof ThreadReference t) {
                            threads.add(t);
                        }
                    }
                    if (!threads.isEmpty()) {
                        return threads;
                    }
                }
            }
        } catch (RuntimeException unreadable) {
            // ObjectCollectedException and the like: the scan of all threads follows
        }
        return List.of();
    }

    /** The worker's pid as {@code BreakpointPark.WORKER_PID} holds it, or 0 if it cannot be read. */
    private static long workerPid(ThreadReference t, int parkFrame) throws IncompatibleThreadStateException {
        com.sun.jdi.ReferenceType park = t.frame(parkFrame).location().declaringType();
        com.sun.jdi.Field pid = park.fieldByName(BreakpointPark.PID_FIELD);
        return pid != null && park.getValue(pid) instanceof com.sun.jdi.LongValue v ? v.value() : 0;
    }

    private static int parkFrame(ThreadReference t) throws IncompatibleThreadStateException {
        List<StackFrame> frames = t.frames();
        for (int i = 0; i < frames.size(); i++) {
            Location l = frames.get(i).location();
            if (l.method().name().equals(BreakpointPark.METHOD) && l.declaringType().name().equals(PARK_CLASS)) {
                return i;
            }
        }
        return -1;
    }

    /** See the class comment: breakpoints on every line of park(), then wait for the thread to hit one. */
    private void stopInPark(ThreadReference t, Duration timeout) {
        List<BreakpointRequest> made;
        try {
            Method park = t.frame(parkFrame(t)).location().method();
            made = LineBreakpoints.requestsAt(requests, park.allLineLocations(), t);
        } catch (IncompatibleThreadStateException | AbsentInformationException e) {
            t.resume();
            throw new DebugException("cannot set up the stop in the park: " + e, e);
        }
        t.resume();
        try {
            Event e = await(ev -> ev instanceof BreakpointEvent && made.contains(ev.request()), timeout.toMillis(), false);
            if (e == null) {
                throw new DebugException("Task " + info.getTaskName() + " did not stop within " + timeout.toSeconds()
                        + " s; it is probably no longer parked. Press Enter to refresh the list.");
            }
        } finally {
            requests.deleteEventRequests(made);
        }
        refreshFrames();
    }

    /**
     * {@code remote}: the task waits in the park before its function runs; run it to the first
     * line of the function (a breakpoint at the entry of the method that holds its body).
     */
    private void runToEntry(Duration timeout) {
        List<Location> entries = new ArrayList<>();
        for (com.sun.jdi.ReferenceType t : vm.classesByName(info.getEntryClass())) {
            for (Method m : t.methodsByName(info.getEntryMethod())) {
                Location l = m.location();
                if (l != null && l.lineNumber() > 0) {
                    entries.add(l);
                }
            }
        }
        List<BreakpointRequest> made = LineBreakpoints.requestsAt(requests, entries, thread);
        if (made.isEmpty()) {
            return; // a function without source lines (a JDK method reference): stay in the park
        }
        setParkLocals(false);
        parked = false;
        leavingPark = true;
        try {
            thread.resume();
            Event e = await(ev -> ev instanceof BreakpointEvent && made.contains(ev.request()), timeout.toMillis(), false);
            if (e == null) {
                throw new DebugException("Task " + info.getTaskName() + " did not reach the first line of "
                        + info.getEntryMethod() + " within " + timeout.toSeconds() + " s.");
            }
        } finally {
            leavingPark = false;
            requests.deleteEventRequests(made);
        }
        refreshFrames();
    }

    // ---------------------------------------------------------------------------- state

    public BreakpointInfo breakpoint() {
        return info;
    }

    /** Whether the session still holds the worker; false after continue, detach, or a step off the task's end. */
    public boolean isAttached() {
        return attached;
    }

    /** Whether the task is still waiting in the park (no step yet). */
    public boolean isParked() {
        return attached && parked;
    }

    /** The worker's pid, for messages. */
    public long pid() {
        return info.getPid();
    }

    // ---------------------------------------------------------------------------- frames

    /** The user's frames, innermost first. */
    public List<Frame> frames() {
        requireAttached();
        List<Frame> out = new ArrayList<>(userFrames.size());
        for (int i = 0; i < userFrames.size(); i++) {
            out.add(frameInfo(i));
        }
        return out;
    }

    public int selectedFrame() {
        return selected;
    }

    /** The selected frame. */
    public Frame frame() {
        requireAttached();
        return frameInfo(selected);
    }

    public Frame selectFrame(int n) {
        requireAttached();
        if (n < 0 || n >= userFrames.size()) {
            throw new DebugException("There is no frame " + n + "; the frames are 0 to " + (userFrames.size() - 1)
                    + " (see `where`).");
        }
        selected = n;
        return frame();
    }

    /** Toward the caller. */
    public Frame up() {
        if (selected + 1 >= userFrames.size()) {
            throw new DebugException("Already at the outermost frame of the task.");
        }
        return selectFrame(selected + 1);
    }

    /** Toward the innermost frame. */
    public Frame down() {
        if (selected == 0) {
            throw new DebugException("Already at the innermost frame (frame 0).");
        }
        return selectFrame(selected - 1);
    }

    private Frame frameInfo(int i) {
        Location l = mirror(userFrames.get(i)).location();
        String file;
        String path;
        try {
            file = l.sourceName();
            path = l.sourcePath();
        } catch (AbsentInformationException e) {
            file = Mirrors.simpleName(l.declaringType().name()) + ".java";
            path = null;
        }
        return new Frame(i, l.declaringType().name(), l.method().name(), file, path, l.lineNumber());
    }

    private StackFrame mirror(int raw) {
        try {
            return thread.frame(raw);
        } catch (IncompatibleThreadStateException e) {
            throw new DebugException("the task's thread is not stopped");
        }
    }

    /** The selected frame's mirror, asked for afresh: calls into the VM invalidate older ones. */
    private StackFrame selectedMirror() {
        return mirror(userFrames.get(selected));
    }

    private void refreshFrames() {
        try {
            List<StackFrame> all = thread.frames();
            List<Integer> user = new ArrayList<>();
            int sondeBreakpoint = -1;
            for (int i = 0; i < all.size(); i++) {
                Location l = all.get(i).location();
                String cls = l.declaringType().name();
                if (FrameFilter.isUserClass(cls)) {
                    user.add(i);
                } else if (cls.equals("io.sonde.Sonde") && l.method().name().equals("breakpoint")) {
                    sondeBreakpoint = i;
                }
            }
            if (user.isEmpty()) {
                // the caller of breakpoint() is in a filtered package: show it (or the top frame) anyway
                user.add(sondeBreakpoint >= 0 && sondeBreakpoint + 1 < all.size() ? sondeBreakpoint + 1 : 0);
            }
            userFrames = user;
            selected = 0;
        } catch (IncompatibleThreadStateException e) {
            throw new DebugException("the task's thread is not stopped");
        }
    }

    // ---------------------------------------------------------------------------- data

    /** {@code this} (if any), then the selected frame's visible locals and arguments. */
    public List<Variable> locals() {
        requireAttached();
        StackFrame f = selectedMirror();
        List<LocalVariable> vars;
        List<String> names = new ArrayList<>();
        List<String> types = new ArrayList<>();
        List<Value> values = new ArrayList<>();
        ObjectReference self = f.thisObject();
        if (self != null) {
            names.add("this");
            types.add(self.referenceType().name());
            values.add(self);
        }
        try {
            vars = f.visibleVariables();
            Map<LocalVariable, Value> got = f.getValues(vars);
            for (LocalVariable v : vars) {
                names.add(v.name());
                types.add(v.typeName());
                values.add(got.get(v));
            }
        } catch (AbsentInformationException e) {
            List<Value> args = f.getArgumentValues();
            for (int i = 0; i < args.size(); i++) {
                names.add("arg" + i);
                types.add(args.get(i) == null ? "?" : args.get(i).type().name());
                values.add(args.get(i));
            }
            names.add("(no local variable names: " + Mirrors.simpleName(f.location().declaringType().name())
                    + " was compiled without -g)");
            types.add("");
            values.add(null);
        }
        Invoker invoker = new Invoker(vm, thread);
        try {
            ValueRenderer renderer = new ValueRenderer(invoker);
            List<Variable> out = new ArrayList<>(names.size());
            for (int i = 0; i < names.size(); i++) {
                boolean note = names.get(i).startsWith("(");
                out.add(new Variable(names.get(i), types.get(i), note ? "" : renderSafely(renderer, values.get(i))));
            }
            return out;
        } finally {
            invoker.release();
        }
    }

    private static String renderSafely(ValueRenderer r, Value v) {
        try {
            return r.render(v);
        } catch (ObjectCollectedException e) {
            return "(collected)";
        } catch (DebugException e) {
            return "(" + e.getMessage() + ")";
        }
    }

    /**
     * An evaluated expression: the value rendered as {@link ValueRenderer} does, and which path
     * answered it ({@code p -v} shows it).
     */
    public record Evaluation(String value, String path) {
    }

    /** Evaluates a Java expression in the selected frame; the value rendered as {@link ValueRenderer} does. */
    public String evaluate(String expression) {
        return evaluateVerbose(expression).value();
    }

    /**
     * Evaluates a Java expression in the selected frame. The fast path first: what Sonde's own
     * evaluator reads (names, fields, calls, arithmetic) it answers without compiling; anything
     * else (lambdas, {@code new}, varargs, generics...) is compiled with javac and run in the
     * worker ({@link JavaExpressions}). Where the compiled path cannot run in this frame, the
     * evaluator's answer or error stands, with a one-line note.
     */
    public Evaluation evaluateVerbose(String expression) {
        requireAttached();
        Invoker invoker = new Invoker(vm, thread);
        evaluating = true;
        try (Evaluator ev = new Evaluator(invoker, this::selectedMirror)) {
            ValueRenderer renderer = new ValueRenderer(invoker);
            String fastFailure;
            boolean parsed = false;
            try {
                Value v = ev.evaluate(expression);
                return new Evaluation(renderer.render(v), "fast path: Sonde's evaluator read it, nothing was compiled");
            } catch (ParseException e) {
                fastFailure = syntax(expression, e);
            } catch (DebugException e) {
                if (e.getMessage().startsWith("the call threw")) {
                    throw e; // the expression ran: running it again compiled would repeat what it did
                }
                fastFailure = e.getMessage();
                parsed = true;
            }
            try {
                JavaExpressions.Result r = compiled().evaluate(invoker, this::selectedMirror, expression, importsOfFrame());
                return new Evaluation(renderer.render(r.value()), compiledPath(r));
            } catch (io.sonde.debugger.compile.CompileFailure refused) {
                throw refused;
            } catch (DebugException threw) {
                // both read it and it failed as it ran (a null, an index): the evaluator says which value, javac's code what it threw
                throw parsed ? new DebugException(fastFailure + " (" + threw.getMessage() + ")") : threw;
            } catch (CannotCompile cannot) {
                throw new DebugException(fastFailure + "\n(Sonde's evaluator answered: the compiled path cannot run here: "
                        + cannot.getMessage() + ")");
            }
        } catch (InvalidStackFrameException | ObjectCollectedException e) {
            throw new DebugException("the value changed under the evaluation (" + e.getClass().getSimpleName()
                    + "); try again");
        } finally {
            evaluating = false;
        }
    }

    private static String compiledPath(JavaExpressions.Result r) {
        return r.cached() ? "compiled path: javac compiled it earlier in this session; one call in the worker"
                : String.format(java.util.Locale.ROOT, "compiled path: javac compiled it (%.0f ms with defining it in the worker),"
                + " then one call in the worker", r.compileMillis());
    }

    /**
     * {@code exec STMT;...}: runs Java statements in the selected frame, compiled; locals they
     * assign are written back to the frame, and writes to fields and objects stick as in any code.
     * Returns the locals written back, as {@code x = 7}, one a line; a statement that throws
     * fails with the exception, and the task stays stopped. A simple assignment that the compiled
     * path cannot run here falls back to {@link #set}, with a note.
     */
    public String execute(String statements) {
        requireAttached();
        Invoker invoker = new Invoker(vm, thread);
        evaluating = true;
        try {
            JavaExpressions.Result r = compiled().execute(invoker, this::selectedMirror, statements, importsOfFrame());
            if (r.written().isEmpty()) {
                return "(done; no local changed)";
            }
            StringBuilder out = new StringBuilder();
            for (String name : r.written()) {
                out.append(out.length() == 0 ? "" : "\n").append(name).append(" = ").append(evaluate(name));
            }
            return out.toString();
        } catch (CannotCompile cannot) {
            String single = statements.strip().replaceAll(";$", "");
            if (single.matches("[\\w.\\[\\]]+\\s*=[^=].*")) {
                return set(single) + "\n(Sonde's evaluator set it: the compiled path cannot run here: " + cannot.getMessage() + ")";
            }
            throw new DebugException("Cannot run statements here: " + cannot.getMessage());
        } catch (InvalidStackFrameException | ObjectCollectedException e) {
            throw new DebugException("the value changed under the statements (" + e.getClass().getSimpleName()
                    + "); try again");
        } finally {
            evaluating = false;
            invoker.release();
        }
    }

    /**
     * Ctrl-C during {@code print} or {@code exec}: the worker's thread gets an exception thrown
     * where it runs, so the call returns and the task stays stopped at its event. Nothing happens
     * if no evaluation runs. Safe to call from another thread (a signal handler's).
     */
    public void interruptEvaluation() {
        if (!evaluating) {
            return;
        }
        List<com.sun.jdi.ReferenceType> host = vm.classesByName(io.sonde.debugger.plugin.ExpressionHost.class.getName());
        if (host.isEmpty()) {
            return;
        }
        try {
            Value stop = host.get(0).getValue(host.get(0).fieldByName("INTERRUPTED"));
            if (evaluating) {
                // the stop leaves the thread interrupted too: the park must not take it for a cancel
                ((com.sun.jdi.ClassType) host.get(0)).setValue(host.get(0).fieldByName("stopping"), vm.mirrorOf(true));
                thread.stop((ObjectReference) stop);
            }
        } catch (com.sun.jdi.InvalidTypeException | com.sun.jdi.ClassNotLoadedException | RuntimeException e) {
            // the evaluation ended meanwhile
        }
    }

    /** Where compiled expressions find the import lines of a frame's source (the console reads the file). */
    public void importsFrom(java.util.function.Function<Frame, List<String>> imports) {
        this.imports = imports;
    }

    private List<String> importsOfFrame() {
        try {
            Frame f = frame();
            return importsByClass.computeIfAbsent(f.className(), c -> imports.apply(f));
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    private JavaExpressions compiled() {
        if (compiled == null) {
            compiled = new JavaExpressions(vm);
        }
        return compiled;
    }

    // ---------------------------------------------------------------------------- display

    /** {@code display EXPR}: shown at every stop of this session; returns its number. */
    public int addDisplay(String expression) {
        displays.put(nextDisplay, expression);
        return nextDisplay++;
    }

    /** {@code undisplay N}: returns the expression it removed. */
    public String removeDisplay(int n) {
        String removed = displays.remove(n);
        if (removed == null) {
            throw new DebugException("No display " + n + "; `display` lists them.");
        }
        return removed;
    }

    /** The display expressions, evaluated in the selected frame: {@code 1: x * 2 = 12}, or the error. */
    public List<String> displays() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<Integer, String> d : displays.entrySet()) {
            String value;
            try {
                value = evaluate(d.getValue());
            } catch (DebugException e) {
                value = "(" + e.getMessage().replace("\n", " ") + ")";
            }
            out.add(d.getKey() + ": " + d.getValue() + " = " + value);
        }
        return out;
    }

    // ---------------------------------------------------------------------------- watch

    /**
     * {@code watch FIELD}: the task stops (on {@code continue}) when its thread writes the field:
     * {@code count} (a field of the frame's class), or {@code Class.count} (a class the worker has
     * loaded, by simple or full name). Returns what it watches.
     */
    public String watch(String field) {
        requireAttached();
        String spec = field.trim();
        com.sun.jdi.Field f;
        int dot = spec.lastIndexOf('.');
        if (dot < 0) {
            f = selectedMirror().location().declaringType().fieldByName(spec);
            if (f == null) {
                throw new DebugException(Mirrors.simpleName(selectedMirror().location().declaringType().name())
                        + " has no field " + spec + "; name another class's as Class.field");
            }
        } else {
            String cls = spec.substring(0, dot);
            String name = spec.substring(dot + 1);
            List<com.sun.jdi.ReferenceType> types = vm.classesByName(cls);
            if (types.isEmpty()) {
                types = vm.allClasses().stream().filter(t -> Mirrors.simpleName(t.name()).equals(cls)
                        || t.name().endsWith("$" + cls) || t.name().endsWith("." + cls)).toList();
            }
            f = types.stream().map(t -> t.fieldByName(name)).filter(java.util.Objects::nonNull).findFirst()
                    .orElseThrow(() -> new DebugException("No loaded class " + cls + " has a field " + name
                            + "; check the name (the class must be loaded in this worker)"));
        }
        if (!vm.canWatchFieldModification()) {
            throw new DebugException("this worker's JVM cannot watch fields");
        }
        com.sun.jdi.request.ModificationWatchpointRequest r = requests.createModificationWatchpointRequest(f);
        r.addThreadFilter(thread);
        r.setSuspendPolicy(EventRequest.SUSPEND_EVENT_THREAD);
        r.enable();
        String what = Mirrors.simpleName(f.declaringType().name()) + "." + f.name();
        watches.put(r, what);
        return what;
    }

    /** {@code NAME = EXPR}, {@code obj.field = EXPR} or {@code array[i] = EXPR}; returns the value stored, rendered. */
    public String set(String assignment) {
        requireAttached();
        Invoker invoker = new Invoker(vm, thread);
        try (Evaluator ev = new Evaluator(invoker, this::selectedMirror)) {
            return new ValueRenderer(invoker).render(ev.assign(assignment));
        } catch (ParseException e) {
            throw new DebugException(syntax(assignment, e));
        }
    }

    private static String syntax(String source, ParseException e) {
        return "Cannot read `" + source + "`: " + e.getMessage() + " (at column " + (e.position() + 1) + ")";
    }

    /** The worker's threads; the task's thread is marked. */
    public List<ThreadInfo> threads() {
        requireAttached();
        List<ThreadInfo> out = new ArrayList<>();
        for (ThreadReference t : vm.allThreads()) {
            out.add(new ThreadInfo(t.name(), status(t.status()), t.isSuspended(), t.equals(thread)));
        }
        return out;
    }

    private static String status(int s) {
        return switch (s) {
            case ThreadReference.THREAD_STATUS_RUNNING -> "running";
            case ThreadReference.THREAD_STATUS_SLEEPING -> "sleeping";
            case ThreadReference.THREAD_STATUS_MONITOR -> "blocked";
            case ThreadReference.THREAD_STATUS_WAIT -> "waiting";
            case ThreadReference.THREAD_STATUS_ZOMBIE -> "ended";
            case ThreadReference.THREAD_STATUS_NOT_STARTED -> "not started";
            default -> "unknown";
        };
    }

    // ---------------------------------------------------------------------------- running

    /**
     * {@code step} (into calls), {@code next} (over calls) or {@code finish} (out of the selected
     * frame). Returns where the thread stopped, or that the task's function returned, in which
     * case the task goes on and the session is detached.
     */
    public StepResult step(Step kind) {
        requireAttached();
        int finishCount = -1;
        if (kind == Step.OUT) {
            // the frame count at which the selected frame has returned: that of its caller
            finishCount = frameCount() - userFrames.get(selected) - 1;
        }
        if (parked) {
            int breakpointLine = frameInfo(0).line();
            if (!leavePark()) {
                return endOfRun();
            }
            // Sonde.breakpoint() is a statement of its own, so returning from it usually lands at the
            // first instruction of the next line: that already is where step and next go.
            Location here = mirror(0).location();
            if (kind != Step.OUT && here.lineNumber() != breakpointLine
                    && FrameFilter.isUserClass(here.declaringType().name())) {
                refreshFrames();
                return new StepResult(true, frame(), null);
            }
        }
        int depth = kind == Step.INTO ? StepRequest.STEP_INTO : kind == Step.OVER ? StepRequest.STEP_OVER
                : StepRequest.STEP_OUT;
        boolean running = kind == Step.OUT ? stepOut(finishCount) : stepOnce(depth);
        if (running) {
            running = settle(depth);
        }
        if (!running) {
            return endOfRun();
        }
        refreshFrames();
        return new StepResult(true, frame(), null);
    }

    /**
     * Sets {@code resume} and steps out of Sonde's frames to the user's frame that called
     * {@code Sonde.breakpoint()}; false if the task's function ended instead.
     */
    private boolean leavePark() {
        int userTop = frameCount() - userFrames.get(0);
        setParkLocals(false);
        parked = false;
        leavingPark = true;
        try {
            return stepOut(userTop);
        } finally {
            leavingPark = false;
        }
    }

    /**
     * The end of a run that did not stop at its event: the task called {@code Sonde.breakpoint()}
     * again (stop in that park, as on attach), or its function ended (detach; the task goes on).
     */
    private StepResult endOfRun() {
        if (guardFound == GuardFinding.PARKED) {
            guardFound = null;
            requests.deleteEventRequests(new ArrayList<>(requests.stepRequests()));
            thread.suspend();
            stopInPark(thread, Duration.ofSeconds(10));
            parked = true;
            return new StepResult(true, frame(), "The task called Sonde.breakpoint() again and waits there.");
        }
        guardFound = null;
        return ended();
    }

    // ---------------------------------------------------------------------------- line breakpoints

    /**
     * {@code break FILE:LINE [if EXPR]}: a breakpoint in the attached worker, for this task's
     * thread, until the session ends. Returns its description ({@code #1  Tasks.java:14}).
     */
    public String addBreakpoint(String fileColonLine, String condition) {
        requireAttached();
        return lineBreakpoints.add(fileColonLine, condition).describe();
    }

    /** The session's line breakpoints, described. */
    public List<String> breakpoints() {
        return lineBreakpoints.all().stream().map(LineBreakpoints.Entry::describe).toList();
    }

    /** Removes breakpoint {@code N} (or {@code #N}) or the one at {@code FILE:LINE}; returns its description. */
    public String clearBreakpoint(String idOrFileColonLine) {
        requireAttached();
        return lineBreakpoints.remove(idOrFileColonLine).describe();
    }

    public void clearBreakpoints() {
        requireAttached();
        lineBreakpoints.clear();
    }

    /**
     * {@code continue}: without line breakpoints, as {@link #resume()} (the result is not
     * stopped). With some, runs the task until one is hit and its condition holds (stopped there),
     * until it calls {@code Sonde.breakpoint()} again (stopped in that park), or until its function
     * returns (not stopped; the session is detached).
     */
    public StepResult proceed() {
        requireAttached();
        if (lineBreakpoints.isEmpty() && watches.isEmpty()) {
            resume();
            return new StepResult(false, null, (info.getDriver() ? "The driver" : "Task " + info.getTaskName()) + " goes on.");
        }
        if (parked && !leavePark()) {
            return endOfRun();
        }
        while (true) {
            thread.resume();
            Event e = await(ev -> ev instanceof BreakpointEvent && lineBreakpoints.owner(ev.request()).isPresent()
                    || ev instanceof com.sun.jdi.event.ModificationWatchpointEvent && watches.containsKey(ev.request()),
                    Long.MAX_VALUE, true);
            if (e == null) {
                return endOfRun();
            }
            if (e instanceof com.sun.jdi.event.ModificationWatchpointEvent w) {
                refreshFrames();
                String now;
                String next;
                Invoker invoker = new Invoker(vm, thread);
                try {
                    ValueRenderer r = new ValueRenderer(invoker);
                    now = renderSafely(r, w.valueCurrent());
                    next = renderSafely(r, w.valueToBe());
                } finally {
                    invoker.release();
                }
                return new StepResult(true, frame(), "Watchpoint " + watches.get(w.request()) + " is written: " + now
                        + " -> " + next);
            }
            LineBreakpoints.Entry hit = lineBreakpoints.owner(e.request()).orElseThrow();
            refreshFrames();
            String note = "Breakpoint " + hit.describe();
            if (hit.condition() != null) {
                String value;
                try {
                    value = evaluate(hit.condition());
                } catch (DebugException failed) {
                    return new StepResult(true, frame(), note + " (its condition failed: " + failed.getMessage() + ")");
                }
                if (!value.equals("true")) {
                    continue; // condition false: run on
                }
            }
            return new StepResult(true, frame(), note);
        }
    }

    /**
     * {@code remote}: marks the worker so that the next task this task submits stops at the first
     * line of its function, in whichever worker runs it, and lets the task go on (detached).
     */
    public void remote() {
        requireAttached();
        requireTask("remote");
        setMark(io.sonde.debugger.plugin.DebugMarks.BREAK_NEXT_SUBMIT, info.getTaskId());
        resume();
    }

    /**
     * {@code get}: marks the task so that its caller stops right after its {@code get} of this
     * task's result returns, and lets the task go on (detached). A task the driver called has no
     * caller to stop in: a driver stops only at its own {@code Sonde.breakpoint()}.
     */
    public void returnToCaller() {
        requireAttached();
        requireTask("get");
        if (info.getParentTaskId().isEmpty()) {
            throw new DebugException("Task " + info.getTaskName() + " was called by the driver, where `get` does not"
                    + " stop (a driver stops only at its own Sonde.breakpoint()); use continue.");
        }
        setMark(io.sonde.debugger.plugin.DebugMarks.BREAK_ON_GET_OF, info.getTaskId());
        resume();
    }

    /** {@code remote} and {@code get} follow a task; a driver's own stop has none. */
    private void requireTask(String command) {
        if (info.getDriver()) {
            throw new DebugException("`" + command + "` follows a task into the tasks it calls or back to its caller;"
                    + " the driver stopped outside any task. Set a Sonde.breakpoint() (or `break`) in the task's code,"
                    + " and continue.");
        }
    }

    /**
     * Drops the marks that an earlier {@code remote} or {@code get} left for this task and that
     * are still pending (the task stopped again before it submitted or returned). Returns the
     * names of the commands whose marks were dropped, e.g. {@code [remote]}.
     */
    public List<String> dropPendingMarks() {
        requireAttached();
        List<String> dropped = new ArrayList<>();
        com.sun.jdi.ClassType type = marksType();
        for (String[] mark : new String[][] {{io.sonde.debugger.plugin.DebugMarks.BREAK_NEXT_SUBMIT, "remote"},
                {io.sonde.debugger.plugin.DebugMarks.BREAK_ON_GET_OF, "get"}}) {
            com.sun.jdi.Field field = type.fieldByName(mark[0]);
            if (field != null && type.getValue(field) instanceof com.sun.jdi.StringReference v
                    && v.value().equals(info.getTaskId())) {
                setMark(mark[0], "");
                dropped.add(mark[1]);
            }
        }
        return dropped;
    }

    private com.sun.jdi.ClassType marksType() {
        List<com.sun.jdi.ReferenceType> marks = vm.classesByName(io.sonde.debugger.plugin.DebugMarks.class.getName());
        if (marks.isEmpty() || !(marks.get(0) instanceof com.sun.jdi.ClassType type)) {
            throw new DebugException("this worker has no " + io.sonde.debugger.plugin.DebugMarks.class.getSimpleName()
                    + " class loaded; is it a Sonde worker of this version?");
        }
        return type;
    }

    /**
     * Stores {@code text} in the worker's mark {@code field}. The string is made in the worker for
     * this, and until it is stored nothing there refers to it: the worker's GC may collect it
     * between the two calls (ObjectCollectedException). So it is kept from collection meanwhile,
     * and made again if it was collected before that took hold.
     */
    private void setMark(String field, String text) {
        com.sun.jdi.ClassType type = marksType();
        for (int attempt = 1; ; attempt++) {
            com.sun.jdi.StringReference value = vm.mirrorOf(text);
            try {
                value.disableCollection();
                try {
                    type.setValue(type.fieldByName(field), value);
                } finally {
                    try {
                        value.enableCollection();
                    } catch (ObjectCollectedException | com.sun.jdi.VMDisconnectedException ignored) {
                        // nothing left to release
                    }
                }
                return;
            } catch (ObjectCollectedException e) {
                if (attempt == 5) {
                    throw new DebugException("cannot mark the worker for `" + field + "`: the worker's GC collected"
                            + " the string for it five times before it could be stored; try the command again", e);
                }
            } catch (com.sun.jdi.InvalidTypeException | com.sun.jdi.ClassNotLoadedException e) {
                throw new DebugException("cannot mark the worker for `" + field + "`: " + e, e);
            }
        }
    }

    /** Lets the task go on and detaches: sets {@code resume} if still parked, else resumes the thread. */
    public void resume() {
        if (!attached) {
            return;
        }
        try {
            if (parked) {
                setParkLocals(true);
            }
        } finally {
            detachQuietly();
        }
    }

    /** As {@link #resume()}: a detached task runs on. */
    public void detach() {
        resume();
    }

    @Override
    public void close() {
        resume();
    }

    /**
     * Lets the park end: sets {@code resume}, and {@code leaving} if the session detaches at once.
     */
    private void setParkLocals(boolean leaving) {
        try {
            int i = parkFrame(thread);
            if (i < 0) {
                return; // not in the park any more
            }
            StackFrame f = thread.frame(i);
            LocalVariable resume = f.visibleVariableByName(BreakpointPark.RESUME_LOCAL);
            if (leaving) {
                LocalVariable left = f.visibleVariableByName(BreakpointPark.LEAVING_LOCAL);
                if (left != null) {
                    f.setValue(left, vm.mirrorOf(true));
                }
            }
            f.setValue(resume, vm.mirrorOf(true));
        } catch (IncompatibleThreadStateException | AbsentInformationException | com.sun.jdi.InvalidTypeException
                 | com.sun.jdi.ClassNotLoadedException e) {
            throw new DebugException("cannot release the parked task: " + e, e);
        }
    }

    private StepResult ended() {
        detachQuietly();
        return new StepResult(false, null, "The task's function returned (or threw); the task goes on and the"
                + " debugger let it go.");
    }

    private void detachQuietly() {
        if (!attached) {
            return;
        }
        attached = false;
        if (compiled != null) {
            try {
                compiled.close();
            } catch (RuntimeException ignored) {
                // the worker went away
            }
        }
        parked = false;
        try {
            requests.deleteAllBreakpoints();
            requests.deleteEventRequests(new ArrayList<>(requests.stepRequests()));
        } catch (VMDisconnectedException ignored) {
            // gone already
        }
        dispose(vm);
    }

    private static void dispose(VirtualMachine vm) {
        try {
            vm.dispose(); // resumes every thread the debugger suspended
        } catch (VMDisconnectedException ignored) {
            // the worker exited
        }
    }

    private int frameCount() {
        try {
            return thread.frameCount();
        } catch (IncompatibleThreadStateException e) {
            throw new DebugException("the task's thread is not stopped");
        }
    }

    /** Steps out until at most {@code count} frames remain; false if the task's function returned meanwhile. */
    private boolean stepOut(int count) {
        while (frameCount() > count) {
            if (!stepOnce(StepRequest.STEP_OUT)) {
                return false;
            }
        }
        return true;
    }

    /**
     * After a step: if the thread stopped outside the user's code (the hidden class of a lambda,
     * whose name no exclusion pattern can match), steps on until it is back in the user's code:
     * into, after a {@code step}, so that a library calling a lambda again (as {@code forEach}
     * does) stops in it; out, after {@code next} and {@code finish}. False if no user frame is
     * left: the task's function has returned.
     */
    private boolean settle(int depth) {
        for (int guard = 0; guard < 64; guard++) {
            if (FrameFilter.isUserClass(mirror(0).location().declaringType().name())) {
                return true;
            }
            if (!hasUserFrame()) {
                return false;
            }
            if (!stepOnce(depth == StepRequest.STEP_INTO ? StepRequest.STEP_INTO : StepRequest.STEP_OUT)) {
                return false;
            }
        }
        return true;
    }

    private boolean hasUserFrame() {
        try {
            for (StackFrame f : thread.frames()) {
                if (FrameFilter.isUserClass(f.location().declaringType().name())) {
                    return true;
                }
            }
            return false;
        } catch (IncompatibleThreadStateException e) {
            return false;
        }
    }

    /**
     * One JDI step of the thread (line granularity, the excluded classes filtered); true once it
     * stopped at the step's event, false if the task's function returned while it ran.
     */
    private boolean stepOnce(int depth) {
        requests.deleteEventRequests(new ArrayList<>(requests.stepRequests()));
        StepRequest r = requests.createStepRequest(thread, StepRequest.STEP_LINE, depth);
        for (String pattern : FrameFilter.EXCLUDED) {
            r.addClassExclusionFilter(pattern);
        }
        r.setSuspendPolicy(EventRequest.SUSPEND_EVENT_THREAD);
        r.enable();
        try {
            thread.resume();
            return await(e -> e instanceof StepEvent && e.request() == r, Long.MAX_VALUE, true) != null;
        } finally {
            try {
                requests.deleteEventRequest(r);
            } catch (VMDisconnectedException ignored) {
                // reported by the caller's next call
            }
        }
    }

    /**
     * Waits for an event of the task's thread that {@code wanted} accepts, resuming every other
     * event set. With {@code guard}, checks every {@link #GUARD_MILLIS} ms that the thread still
     * has a user frame and returns null, the thread left running, once it has none. Returns null
     * after {@code timeoutMillis} too.
     */
    private Event await(Predicate<Event> wanted, long timeoutMillis, boolean guard) {
        long deadline = timeoutMillis == Long.MAX_VALUE ? Long.MAX_VALUE : System.currentTimeMillis() + timeoutMillis;
        while (true) {
            long left = deadline == Long.MAX_VALUE ? GUARD_MILLIS : Math.min(GUARD_MILLIS, deadline - System.currentTimeMillis());
            if (left <= 0) {
                return null;
            }
            EventSet set;
            try {
                set = vm.eventQueue().remove(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DebugException("interrupted while waiting for the task's thread");
            }
            if (set == null) {
                if (guard) {
                    GuardFinding f = checkRunning();
                    if (f != null) {
                        guardFound = f;
                        return null;
                    }
                }
                continue;
            }
            Event match = null;
            for (Event e : set) {
                if (e instanceof VMDeathEvent || e instanceof VMDisconnectEvent) {
                    attached = false;
                    throw new VMDisconnectedException("the worker exited");
                }
                if (match == null && wanted.test(e) && e instanceof LocatableEvent le && le.thread().equals(thread)) {
                    match = e;
                }
            }
            if (match != null) {
                return match;
            }
            set.resume();
        }
    }

    /**
     * Suspends the running thread for a moment to see whether a step or a continue can still end
     * at its event: not once no user frame is left (the task's function ended), nor when the task
     * parked at another {@code Sonde.breakpoint()}.
     */
    private GuardFinding checkRunning() {
        thread.suspend();
        try {
            if (!leavingPark && parkFrame(thread) >= 0) {
                return GuardFinding.PARKED;
            }
            return hasUserFrame() ? null : GuardFinding.ENDED;
        } catch (IncompatibleThreadStateException e) {
            return GuardFinding.ENDED;
        } finally {
            thread.resume();
        }
    }

    private void requireAttached() {
        if (!attached) {
            throw new DebugException("Not attached: the task went on.");
        }
    }
}
