package io.sonde.debugger;

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
import io.sonde.debugger.expr.Evaluator;
import io.sonde.debugger.expr.Invoker;
import io.sonde.debugger.plugin.BreakpointPark;
import io.sonde.debugger.plugin.FrameFilter;
import io.sonde.debugger.proto.DebugHooks;
import io.sonde.debugger.proto.LineBreakpoint;
import io.sonde.spi.RuntimeFrames;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Properties;

/**
 * The worker's own debugger: a JDI connection from the worker to its own
 * JDWP agent, held while the debugger has set hooks, that turns them into event requests on the
 * task's thread ({@code sonde-task}):
 * <ul>
 *   <li>{@code break FILE:LINE [if EXPR]}: breakpoints in the loaded classes of that file, and in
 *       each one loaded later (a class-prepare request with the file name as filter); the
 *       condition is evaluated with the debugger's {@link Evaluator} on the stopped frame;</li>
 *   <li>{@code catch CLASS}: a throw of that class (or a subclass) that reaches or leaves the
 *       user's code;</li>
 *   <li>post-mortem: a throw that no code of the task catches (the executor's catch is next).</li>
 * </ul>
 * Where one holds, the agent calls {@code BreakpointPark.hit} on the stopped thread: the task
 * parks right there, on top of the frames of the event, so a debugger attached later sees the
 * line (or the throw site) with its locals. The park first {@linkplain #release() releases} this
 * connection (the JDWP agent serves one debugger at a time, and the invocation goes on once the
 * connection is gone); when the task leaves the park, {@link #rearm} connects again, to the new
 * port the agent listens on, before the task goes on if the debugger has left.
 *
 * <p>Breakpoints set here stop the task's thread only: code the task runs on other threads (a
 * parallel stream's pool) does not stop.
 *
 * <p>The JDWP agent accepts one debugger at a time: this agent lets go of its connection while
 * the task is parked (so that {@code sonde debug} can attach), and takes it again afterwards.
 * Used by the debugger's worker plug-in ({@code io.sonde.debugger.plugin}).
 */
public final class WorkerAgent {
    static final String TASK_THREAD = BreakpointPark.TASK_THREAD;
    private static final String PARK_CLASS = BreakpointPark.class.getName();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** How long applying hooks waits for a debugger that is detaching to free the JDWP agent. */
    private static final Duration FREE_PATIENCE = Duration.ofSeconds(3);

    private final Object lock = new Object();
    /** The hooks in force; empty: no connection. */
    private DebugHooks hooks = DebugHooks.getDefaultInstance();
    /** The connection, or null while released or idle. */
    private Connection connection;
    /** The task is parked for a debugger: do not connect until {@link #rearm}. */
    private boolean released;
    /** Bumped at each release: a pending re-connection of an older park gives up. */
    private long generation;

    /** Whether there is nothing to watch: no line, no exception class, no post-mortem. */
    public static boolean isEmpty(DebugHooks hooks) {
        return hooks.getLinesCount() == 0 && hooks.getCatchesCount() == 0 && !hooks.getPostMortem();
    }

    /** Applies the whole set of hooks (an empty set: detach). Called on the worker's debug thread. */
    public void apply(DebugHooks newHooks) {
        // A debugger that just let a task go may still be detaching: wait a moment for the port.
        long deadline = System.nanoTime() + FREE_PATIENCE.toNanos();
        while (true) {
            synchronized (lock) {
                hooks = newHooks;
                if (released) {
                    return; // applied at rearm
                }
                if (isEmpty(newHooks)) {
                    disconnect();
                    return;
                }
                if (connection != null) {
                    connection.sync(newHooks);
                    return;
                }
                if (currentPort().isPresent()) {
                    try {
                        connection = Connection.open(newHooks);
                        return;
                    } catch (RuntimeException busy) {
                        // a debugger took the port first
                    }
                }
                if (System.nanoTime() > deadline) {
                    // a debugger is attached (stepping a task that left its park): connect once it has gone
                    connectLater(generation);
                    return;
                }
            }
            if (!pause()) {
                return;
            }
        }
    }

    /** Connects on a thread of its own once the JDWP agent is free, unless the task parks again first. */
    private void connectLater(long mine) {
        Thread t = new Thread(() -> connectWhenFree(mine, Long.MAX_VALUE), "sonde-debug-rearm");
        t.setDaemon(true);
        t.start();
    }

    /** A short wait between two looks at the agent; false if interrupted. */
    private static boolean pause() {
        try {
            Thread.sleep(10);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The task's thread is about to park at a breakpoint: free the JDWP agent for a debugger. */
    public void release() {
        Connection c;
        synchronized (lock) {
            released = true;
            generation++;
            c = connection;
            connection = null;
        }
        if (c != null) {
            // On another thread: the caller may be the task thread inside an invocation this
            // connection started, and the dispose command waits for the agent.
            Thread t = new Thread(c::close, "sonde-debug-release");
            t.setDaemon(true);
            t.start();
            try {
                t.join(CONNECT_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The task's thread left its park. {@code debuggerLeft}: the debugger that resumed it has
     * detached ({@code continue}), so the agent can be taken back before the task goes on; else a
     * debugger still steps the thread, and the agent is taken back once it detaches.
     */
    public void rearm(boolean debuggerLeft) {
        long mine;
        synchronized (lock) {
            released = false;
            mine = generation;
            if (isEmpty(hooks)) {
                return;
            }
        }
        if (debuggerLeft) {
            // continue: take the agent back before the task runs on, so the next hit is not missed
            connectWhenFree(mine, System.nanoTime() + Duration.ofSeconds(3).toNanos());
        } else {
            connectLater(mine); // a debugger still steps the thread: connect once it has detached
        }
    }

    private void connectWhenFree(long mine, long deadline) {
        while (System.nanoTime() < deadline || deadline == Long.MAX_VALUE) {
            synchronized (lock) {
                if (generation != mine || released || connection != null || isEmpty(hooks)) {
                    return;
                }
                if (currentPort().isPresent()) {
                    try {
                        connection = Connection.open(hooks);
                        return;
                    } catch (RuntimeException busy) {
                        // a debugger took the port first: try again once it is free
                    }
                }
            }
            if (!pause()) {
                return;
            }
        }
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

    /**
     * The port this JVM's JDWP agent listens on now; empty while a debugger is connected (the agent
     * then listens on none). Read from the agent properties, which the worker's launch exports.
     */
    public static OptionalInt currentPort() {
        try {
            Properties p = (Properties) Class.forName("jdk.internal.vm.VMSupport").getMethod("getAgentProperties").invoke(null);
            return JdwpAddress.parse(p.getProperty(JdwpAddress.PROPERTY));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("the worker cannot read its JDWP address (it needs"
                    + " --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED): " + e, e);
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
        private DebugHooks hooks = DebugHooks.getDefaultInstance();

        private record LineRequest(LineBreakpoint spec, List<BreakpointRequest> breakpoints, ClassPrepareRequest prepare) {
        }

        private Connection(VirtualMachine vm) {
            this.vm = vm;
            this.requests = vm.eventRequestManager();
        }

        /** The live thread that runs tasks now. */
        private ThreadReference taskThread() {
            return vm.allThreads().stream()
                    .filter(t -> t.name().equals(TASK_THREAD) && t.status() != ThreadReference.THREAD_STATUS_ZOMBIE)
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("the worker has no " + TASK_THREAD + " thread"));
        }

        static Connection open(DebugHooks hooks) {
            int port = currentPort().orElseThrow(() -> new IllegalStateException("another debugger is attached"));
            VirtualMachine vm;
            try {
                vm = DebugSession.connect(port, CONNECT_TIMEOUT);
            } catch (IOException e) {
                throw new IllegalStateException("cannot connect to this worker's JDWP agent: " + e.getMessage(), e);
            }
            Connection c;
            try {
                c = new Connection(vm);
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
                            if (e instanceof ClassPrepareEvent cp) {
                                prepared(cp.referenceType());
                            } else if (!hitting && e instanceof BreakpointEvent b) {
                                String why = lineHit(b);
                                if (why != null) {
                                    reason = "line";
                                    detail = why;
                                    stop = true;
                                }
                            } else if (!hitting && e instanceof ExceptionEvent x) {
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
                // released or closed
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
                try (Evaluator ev = new Evaluator(invoker, () -> {
                    try {
                        return task.frame(0);
                    } catch (IncompatibleThreadStateException e) {
                        throw new DebugException("the task's thread is not stopped");
                    }
                })) {
                    Value v = ev.evaluate(spec.getCondition());
                    return v instanceof com.sun.jdi.BooleanValue bv && bv.value() ? what + " if " + spec.getCondition() : null;
                } catch (RuntimeException failed) {
                    return what + " (its condition `" + spec.getCondition() + "` failed: " + failed.getMessage() + ")";
                }
            }
            return null;
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
         * Parks the stopped task right where it is: {@code BreakpointPark.hit} runs on its thread
         * (the call returns when the park ends, long after this connection is gone).
         */
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

        private void hit(EventSet set, String reason, String detail) {
            hitting = true;
            // No more events on this connection: the park releases it, and an event the agent
            // would still be sending when it closes ends up as a transport error on the worker's stderr.
            requests.deleteAllBreakpoints();
            requests.deleteEventRequests(new ArrayList<>(requests.exceptionRequests()));
            requests.deleteEventRequests(new ArrayList<>(requests.classPrepareRequests()));
            List<ReferenceType> park = vm.classesByName(PARK_CLASS);
            if (park.isEmpty() || !(park.get(0) instanceof ClassType parkType)) {
                set.resume(); // cannot happen: the worker loads the park class at start
                return;
            }
            Method m = parkType.methodsByName(BreakpointPark.HIT_METHOD).get(0);
            String where = where(task);
            StringReference r = pinnedMirror(reason);
            StringReference d = pinnedMirror(detail);
            Thread call = new Thread(() -> {
                try {
                    parkType.invokeMethod(task, m, List.of(r, d), ObjectReference.INVOKE_SINGLE_THREADED);
                } catch (VMDisconnectedException released) {
                    // the park released this connection: the call goes on without it
                } catch (Exception refused) {
                    // The JDWP agent takes one such call per thread (see WorkerContext.retireTaskThread):
                    // a second stop in the same task cannot park. Let it run, and say so.
                    try {
                        set.resume();
                    } catch (VMDisconnectedException gone) {
                        return;
                    }
                    System.err.println("sonde: " + reason + " stop at " + where + " skipped: a task stops once at the"
                            + " breakpoints set from the debugger; to stop at every hit, stay attached and use continue");
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
