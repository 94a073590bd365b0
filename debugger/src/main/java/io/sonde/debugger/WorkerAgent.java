package io.sonde.debugger;

import com.sun.jdi.Bootstrap;
import com.sun.jdi.ClassType;
import com.sun.jdi.Field;
import com.sun.jdi.IncompatibleThreadStateException;
import com.sun.jdi.Location;
import com.sun.jdi.Method;
import com.sun.jdi.ObjectReference;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.StringReference;
import com.sun.jdi.ThreadReference;
import com.sun.jdi.VMDisconnectedException;
import com.sun.jdi.Value;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.event.BreakpointEvent;
import com.sun.jdi.event.ClassPrepareEvent;
import com.sun.jdi.event.Event;
import com.sun.jdi.event.EventSet;
import com.sun.jdi.event.ExceptionEvent;
import com.sun.jdi.event.VMDeathEvent;
import com.sun.jdi.event.VMDisconnectEvent;
import com.sun.jdi.request.BreakpointRequest;
import com.sun.jdi.request.ClassPrepareRequest;
import com.sun.jdi.request.EventRequest;
import com.sun.jdi.request.EventRequestManager;
import com.sun.jdi.request.ExceptionRequest;
import io.sonde.debugger.compile.JavaExpressions;
import io.sonde.debugger.expr.Evaluator;
import io.sonde.debugger.expr.Invoker;
import io.sonde.debugger.jdwp.JdwpRouter;
import io.sonde.debugger.plugin.BreakpointPark;
import io.sonde.debugger.plugin.FrameFilter;
import io.sonde.debugger.proto.DebugHooks;
import io.sonde.debugger.proto.LineBreakpoint;
import io.sonde.spi.RuntimeFrames;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker's own debugger: a JDI client of the worker's {@link JdwpRouter} (the worker's one
 * connection to its own JDWP agent), made when the debugger first sets hooks, that turns them into
 * event requests on the task's thread ({@code sonde-task}):
 * <ul>
 *   <li>{@code break FILE:LINE [if EXPR]}: breakpoints in the loaded classes of that file, and in
 *       each one loaded later (a class-prepare request with the file name as filter); the
 *       condition is evaluated on the stopped frame by the debugger's {@link Evaluator}, or,
 *       where that cannot read it (a lambda, {@code new}...), compiled with javac in this worker
 *       once and called at each hit ({@link JavaExpressions});</li>
 *   <li>{@code catch CLASS}: a throw of that class (or a subclass) that reaches or leaves the
 *       user's code;</li>
 *   <li>post-mortem: a throw that no code of the task catches (the executor's catch is next).</li>
 * </ul>
 * Where one holds, the agent calls {@code BreakpointPark.hit} on the stopped thread: the task
 * parks right there, on top of the frames of the event, so a debugger attached later (another
 * client of the router) sees the line (or the throw site) with its locals. When the park ends the
 * call returns, and the agent lets the thread go on from its event.
 *
 * <p>While a debugger is attached to the worker ({@link #debuggerAttached}), the hooks do not
 * stop the task: the debugger steps and continues it with its own breakpoints, as it would
 * without the worker's. They stop it again from the moment the debugger leaves.
 *
 * <p>Breakpoints set here stop the task's thread only: code the task runs on other threads (a
 * parallel stream's pool) does not stop. Used by the debugger's worker plug-in
 * ({@code io.sonde.debugger.plugin}).
 */
public final class WorkerAgent {
    static final String TASK_THREAD = BreakpointPark.TASK_THREAD;
    private static final String PARK_CLASS = BreakpointPark.class.getName();

    private final Object lock = new Object();
    private final JdwpRouter router;
    /** The connection, or null until the first hook is set. */
    private Connection connection;
    /** How many debuggers are attached through the node: the hooks do not stop the task meanwhile. */
    private final AtomicInteger debuggers = new AtomicInteger();

    public WorkerAgent(JdwpRouter router) {
        this.router = router;
    }

    /** Whether there is nothing to watch: no line, no exception class, no post-mortem. */
    public static boolean isEmpty(DebugHooks hooks) {
        return hooks.getLinesCount() == 0 && hooks.getCatchesCount() == 0 && !hooks.getPostMortem();
    }

    /**
     * Applies the whole set of hooks. The connection, made with the first hook, stays (an empty set
     * only clears its requests): a task may be parked in a call this connection made, and leaving
     * would let the router undo the event suspension that call returns to.
     * Called on the worker's debug thread.
     */
    public void apply(DebugHooks newHooks) {
        synchronized (lock) {
            if (connection != null) {
                connection.sync(newHooks);
            } else if (!isEmpty(newHooks)) {
                connection = Connection.open(router, newHooks, debuggers);
            }
        }
    }

    /** A debugger attached to this worker: the hooks let the task be until it leaves. */
    public void debuggerAttached() {
        debuggers.incrementAndGet();
    }

    /** A debugger left (before the router lets its suspensions go): the hooks stop the task again. */
    public void debuggerLeft() {
        debuggers.decrementAndGet();
    }

    /** Stops watching; the worker is exiting. */
    public void close() {
        synchronized (lock) {
            disconnect();
        }
    }

    private void disconnect() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    // ------------------------------------------------------------------ one connection

    /** A JDI connection to this JVM and the requests of one set of hooks, with its event thread. */
    private static final class Connection {
        private final VirtualMachine vm;
        private final EventRequestManager requests;
        /** The task thread; it changes after a stop (see {@code WorkerContext.retireTaskThread}). */
        private ThreadReference task;
        private final List<EventRequest> made = new ArrayList<>();
        private final List<LineRequest> lines = new ArrayList<>();
        private final List<ExceptionRequest> catches = new ArrayList<>();
        private ExceptionRequest postMortem;
        private volatile boolean hitting;
        private final AtomicInteger debuggers;
        private DebugHooks hooks = DebugHooks.getDefaultInstance();
        /** Conditions compiled with javac, kept for the next hits. */
        private final JavaExpressions compiled;

        private record LineRequest(LineBreakpoint spec, List<BreakpointRequest> breakpoints, ClassPrepareRequest prepare) {
        }

        private Connection(VirtualMachine vm, AtomicInteger debuggers) {
            this.vm = vm;
            this.requests = vm.eventRequestManager();
            this.debuggers = debuggers;
            this.compiled = new JavaExpressions(vm);
        }

        /** The live thread that runs tasks now. */
        private ThreadReference taskThread() {
            return vm.allThreads().stream()
                    .filter(t -> t.name().equals(TASK_THREAD) && t.status() != ThreadReference.THREAD_STATUS_ZOMBIE)
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("the worker has no " + TASK_THREAD + " thread"));
        }

        static Connection open(JdwpRouter router, DebugHooks hooks, AtomicInteger debuggers) {
            VirtualMachine vm;
            try {
                vm = Bootstrap.virtualMachineManager().createVirtualMachine(router.connect("worker-agent"));
            } catch (IOException e) {
                throw new IllegalStateException("cannot connect to this worker's JDWP agent: " + e.getMessage(), e);
            }
            Connection c;
            try {
                c = new Connection(vm, debuggers);
                c.sync(hooks);
            } catch (RuntimeException e) {
                vm.dispose();
                throw e;
            }
            Thread events = new Thread(c::events, "sonde-debug-events");
            events.setDaemon(true);
            events.start();
            return c;
        }

        synchronized void sync(DebugHooks hooks) {
            task = taskThread();
            // Simple and rare (a user typed break, clear or catch): drop every request, make them anew.
            for (LineRequest l : lines) {
                requests.deleteEventRequests(l.breakpoints());
                requests.deleteEventRequest(l.prepare());
            }
            lines.clear();
            requests.deleteEventRequests(catches);
            catches.clear();
            if (postMortem != null) {
                requests.deleteEventRequest(postMortem);
                postMortem = null;
            }
            for (LineBreakpoint spec : hooks.getLinesList()) {
                ClassPrepareRequest prepare = requests.createClassPrepareRequest();
                prepare.addSourceNameFilter(LineBreakpoints.sourceFileOf(spec.getFile()));
                prepare.setSuspendPolicy(EventRequest.SUSPEND_EVENT_THREAD);
                prepare.enable();
                List<BreakpointRequest> bps = new ArrayList<>();
                for (ReferenceType t : LineBreakpoints.classesOf(vm, spec.getFile())) {
                    bps.addAll(breakpointsIn(t, spec));
                }
                lines.add(new LineRequest(spec, bps, prepare));
            }
            for (String name : hooks.getCatchesList()) {
                for (ReferenceType t : vm.classesByName(name)) {
                    catches.add(exceptionRequest(t));
                }
                // a class not loaded yet: a request for every throw, filtered by class name when it comes
                if (vm.classesByName(name).isEmpty()) {
                    catches.add(exceptionRequest(null));
                }
            }
            if (hooks.getPostMortem()) {
                postMortem = exceptionRequest(null);
            }
            this.hooks = hooks;
        }

        private ExceptionRequest exceptionRequest(ReferenceType type) {
            ExceptionRequest r = requests.createExceptionRequest(type, true, true);
            r.addThreadFilter(task);
            r.setSuspendPolicy(EventRequest.SUSPEND_EVENT_THREAD);
            r.enable();
            return r;
        }

        private List<BreakpointRequest> breakpointsIn(ReferenceType t, LineBreakpoint spec) {
            return LineBreakpoints.requestsAt(requests, t, spec.getLine(), task);
        }

        private void events() {
            try {
                while (true) {
                    EventSet set = vm.eventQueue().remove();
                    boolean stop = false;
                    String reason = null;
                    String detail = "";
                    for (Event e : set) {
                        if (e instanceof VMDeathEvent || e instanceof VMDisconnectEvent) {
                            return;
                        }
                        synchronized (this) {
                            boolean idle = hitting || debuggers.get() > 0;
                            if (e instanceof ClassPrepareEvent cp) {
                                prepared(cp.referenceType());
                            } else if (!idle && e instanceof BreakpointEvent b) {
                                String why = lineHit(b);
                                if (why != null) {
                                    reason = "line";
                                    detail = why;
                                    stop = true;
                                }
                            } else if (!idle && e instanceof ExceptionEvent x) {
                                String why = exceptionHit(x);
                                if (why != null) {
                                    reason = why;
                                    detail = describe(x.exception());
                                    stop = true;
                                }
                            }
                        }
                    }
                    if (stop) {
                        hit(set, reason, detail);
                    } else {
                        set.resume();
                    }
                }
            } catch (InterruptedException | VMDisconnectedException e) {
                // closed
            }
        }

        private void prepared(ReferenceType t) {
            for (int i = 0; i < lines.size(); i++) {
                LineRequest l = lines.get(i);
                if (LineBreakpoints.matches(t.name(), l.spec().getFile())) {
                    List<BreakpointRequest> more = new ArrayList<>(l.breakpoints());
                    more.addAll(breakpointsIn(t, l.spec()));
                    lines.set(i, new LineRequest(l.spec(), more, l.prepare()));
                }
            }
        }

        /** The hit's description if the breakpoint's condition holds (or failed to evaluate), else null. */
        private String lineHit(BreakpointEvent b) {
            for (LineRequest l : lines) {
                if (!l.breakpoints().contains(b.request())) {
                    continue;
                }
                LineBreakpoint spec = l.spec();
                String what = "#" + spec.getId() + " " + spec.getFile() + ":" + spec.getLine();
                if (spec.getCondition().isEmpty()) {
                    return what;
                }
                Invoker invoker = new Invoker(vm, task);
                java.util.function.Supplier<com.sun.jdi.StackFrame> top = () -> {
                    try {
                        return task.frame(0);
                    } catch (IncompatibleThreadStateException e) {
                        throw new DebugException("the task's thread is not stopped");
                    }
                };
                try (Evaluator ev = new Evaluator(invoker, top)) {
                    Value v = io.sonde.debugger.expr.Mirrors.unbox(condition(ev, invoker, top, spec.getCondition()));
                    return v instanceof com.sun.jdi.BooleanValue bv && bv.value() ? what + " if " + spec.getCondition() : null;
                } catch (RuntimeException | LinkageError failed) {
                    return what + " (its condition `" + spec.getCondition() + "` failed: " + failed.getMessage() + ")";
                }
            }
            return null;
        }

        /**
         * A condition's value: Sonde's evaluator answers what it reads (names, fields, calls,
         * arithmetic); anything else is compiled with javac, once per condition and frame shape
         * (the {@link JavaExpressions} keep the class), and called at each hit.
         */
        private Value condition(Evaluator ev, Invoker invoker, java.util.function.Supplier<com.sun.jdi.StackFrame> top,
                                String condition) {
            try {
                return ev.evaluate(condition);
            } catch (io.sonde.debugger.expr.ParseException | DebugException fast) {
                if (fast instanceof DebugException d && d.getMessage().startsWith("the call threw")) {
                    throw d;
                }
                try {
                    return compiled.evaluate(invoker, top, condition, List.of()).value();
                } catch (io.sonde.debugger.compile.CannotCompile cannot) {
                    throw new DebugException(fast.getMessage() + " (the compiled path cannot run here: "
                            + cannot.getMessage() + ")");
                }
            }
        }

        /** "exception" or "post-mortem" if this throw stops the task, else null. */
        private String exceptionHit(ExceptionEvent x) {
            String type = x.exception().referenceType().name();
            if (x.request() == postMortem) {
                if (type.equals("io.sonde.TaskCancelledException")) {
                    return null;
                }
                Location c = x.catchLocation();
                // unhandled: nothing catches it, or only the executor, which turns it into the task's failure
                boolean unhandled = c == null || RuntimeFrames.isTaskExecutor(c.declaringType().name());
                String thrower = x.location().declaringType().name();
                boolean thrownBySonde = RuntimeFrames.isTaskExecutor(thrower)
                        || thrower.startsWith("io.sonde.debugger.plugin.");
                return unhandled && !thrownBySonde ? "post-mortem" : null;
            }
            if (!catches.contains(x.request())) {
                return null;
            }
            if (x.request() instanceof ExceptionRequest r && r.exception() == null && !isInstance(x.exception(), hooks.getCatchesList())) {
                return null;
            }
            // skip the JDK's own throws that it catches again (class loading and the like)
            Location c = x.catchLocation();
            boolean reachesUser = FrameFilter.isUserClass(x.location().declaringType().name()) || c == null
                    || FrameFilter.isUserClass(c.declaringType().name())
                    || RuntimeFrames.isTaskExecutor(c.declaringType().name());
            return reachesUser ? "exception" : null;
        }

        private static boolean isInstance(ObjectReference exception, List<String> names) {
            for (ReferenceType t = exception.referenceType(); t instanceof ClassType ct; t = ct.superclass()) {
                if (names.contains(ct.name())) {
                    return true;
                }
            }
            return false;
        }

        /** {@code java.lang.IllegalStateException: boom}, read from the exception's fields (no call). */
        private static String describe(ObjectReference exception) {
            String name = exception.referenceType().name();
            for (ReferenceType t = exception.referenceType(); t instanceof ClassType ct; t = ct.superclass()) {
                Field f = ct.fieldByName("detailMessage");
                if (f != null && ct.name().equals("java.lang.Throwable")) {
                    Value v = exception.getValue(f);
                    return v instanceof StringReference s ? name + ": " + s.value() : name;
                }
            }
            return name;
        }

        /**
         * A string in the worker that its GC keeps until it is let go: a fresh mirror can be
         * collected before {@code disableCollection} reaches the agent (ObjectCollectedException),
         * so make another until one is pinned.
         */
        private StringReference pinnedMirror(String value) {
            for (int attempt = 1; ; attempt++) {
                StringReference ref = vm.mirrorOf(value);
                try {
                    ref.disableCollection();
                    return ref;
                } catch (com.sun.jdi.ObjectCollectedException collected) {
                    if (attempt == 10) {
                        throw collected;
                    }
                }
            }
        }

        /**
         * Parks the stopped task right where it is: {@code BreakpointPark.hit} runs on its thread,
         * on a thread of this worker that waits for the call to return (when the park ends), then
         * lets the task go on from its event. No hook stops the task meanwhile.
         */
        private void hit(EventSet set, String reason, String detail) {
            hitting = true;
            List<ReferenceType> park = vm.classesByName(PARK_CLASS);
            if (park.isEmpty() || !(park.get(0) instanceof ClassType parkType)) {
                hitting = false;
                set.resume(); // cannot happen: the worker loads the park class at start
                return;
            }
            Method m = parkType.methodsByName(BreakpointPark.HIT_METHOD).get(0);
            ThreadReference on = task;
            String where = where(on);
            StringReference r = pinnedMirror(reason);
            StringReference d = pinnedMirror(detail);
            Thread call = new Thread(() -> {
                try {
                    parkType.invokeMethod(on, m, List.of(r, d), ObjectReference.INVOKE_SINGLE_THREADED);
                } catch (VMDisconnectedException gone) {
                    return;
                } catch (Exception refused) {
                    System.err.println("sonde: " + reason + " stop at " + where + " skipped: " + refused);
                }
                try {
                    r.enableCollection();
                    d.enableCollection();
                    hitting = false;
                    set.resume();
                } catch (VMDisconnectedException gone) {
                    // the worker is exiting
                }
            }, "sonde-debug-hit");
            call.setDaemon(true);
            call.start();
        }

        private static String where(ThreadReference t) {
            try {
                Location l = t.frame(0).location();
                return l.declaringType().name() + ":" + l.lineNumber();
            } catch (IncompatibleThreadStateException | RuntimeException e) {
                return "?";
            }
        }

        void close() {
            try {
                vm.dispose();
            } catch (VMDisconnectedException ignored) {
                // gone already
            }
        }
    }
}
