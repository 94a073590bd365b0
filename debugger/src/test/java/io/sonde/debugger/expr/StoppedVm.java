package io.sonde.debugger.expr;

import com.sun.jdi.Bootstrap;
import com.sun.jdi.IncompatibleThreadStateException;
import com.sun.jdi.Method;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.StackFrame;
import com.sun.jdi.ThreadReference;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.connect.Connector;
import com.sun.jdi.connect.LaunchingConnector;
import com.sun.jdi.event.BreakpointEvent;
import com.sun.jdi.event.ClassPrepareEvent;
import com.sun.jdi.event.Event;
import com.sun.jdi.event.EventSet;
import com.sun.jdi.event.VMDeathEvent;
import com.sun.jdi.event.VMDisconnectEvent;
import com.sun.jdi.request.BreakpointRequest;
import com.sun.jdi.request.ClassPrepareRequest;
import com.sun.jdi.request.EventRequest;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A JVM launched under JDI whose main thread is stopped at a breakpoint on entry to one method,
 * for good: nothing resumes it until {@link #close()}, so method invocations on that thread (which
 * need it stopped at an event) work for as long as the tests run.
 *
 * <p>Lifecycle: {@link #launch} returns once the thread is stopped, or fails within
 * {@link #STOP_WITHIN_MILLIS}; {@link #close()} kills the VM. Not thread-safe: one test class
 * drives it from its test thread.
 */
final class StoppedVm implements AutoCloseable {
    static final long STOP_WITHIN_MILLIS = 30_000;

    private final VirtualMachine vm;
    private final ThreadReference thread;

    private StoppedVm(VirtualMachine vm, ThreadReference thread) {
        this.vm = vm;
        this.thread = thread;
    }

    /**
     * Runs {@code main}'s class from this build's test classes and stops its main thread on entry
     * to {@code method} of the same class.
     */
    static StoppedVm launch(Class<?> main, String method) throws Exception {
        LaunchingConnector connector = Bootstrap.virtualMachineManager().defaultConnector();
        Map<String, Connector.Argument> args = connector.defaultArguments();
        Path classes = Path.of(main.getProtectionDomain().getCodeSource().getLocation().toURI());
        args.get("main").setValue(main.getName());
        // Few threads and no JIT warm-up to wait for: the target only has to reach one call.
        args.get("options").setValue("-cp \"" + classes + "\" -Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
        VirtualMachine vm = connector.launch(args);
        try {
            return new StoppedVm(vm, stopIn(vm, main.getName(), method));
        } catch (Exception | AssertionError e) {
            vm.process().destroyForcibly();
            throw e;
        }
    }

    /** The VM starts suspended: ask for the class's preparation, then for a breakpoint in it. */
    private static ThreadReference stopIn(VirtualMachine vm, String className, String method) throws InterruptedException {
        long deadline = System.currentTimeMillis() + STOP_WITHIN_MILLIS;
        ClassPrepareRequest prepare = vm.eventRequestManager().createClassPrepareRequest();
        prepare.addClassFilter(className);
        prepare.setSuspendPolicy(EventRequest.SUSPEND_EVENT_THREAD);
        prepare.enable();
        vm.resume();
        BreakpointRequest breakpoint = null;
        while (true) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new AssertionError("the target did not reach " + className + "." + method + " within "
                        + STOP_WITHIN_MILLIS + " ms");
            }
            EventSet events = vm.eventQueue().remove(left);
            if (events == null) {
                continue;
            }
            for (Event e : events) {
                if (e instanceof ClassPrepareEvent cp && breakpoint == null) {
                    prepare.disable();
                    ReferenceType type = cp.referenceType();
                    Method m = type.methodsByName(method).stream().findFirst()
                            .orElseThrow(() -> new AssertionError(className + " has no method " + method));
                    breakpoint = vm.eventRequestManager().createBreakpointRequest(m.location());
                    breakpoint.setSuspendPolicy(EventRequest.SUSPEND_EVENT_THREAD);
                    breakpoint.enable();
                } else if (e instanceof BreakpointEvent b) {
                    // Disabled so that nothing a test invokes can stop the thread a second time.
                    breakpoint.disable();
                    return b.thread(); // the event set stays unresumed: the thread stays stopped
                } else if (e instanceof VMDeathEvent || e instanceof VMDisconnectEvent) {
                    throw new AssertionError("the target exited before reaching " + className + "." + method);
                }
            }
            events.resume();
        }
    }

    VirtualMachine vm() {
        return vm;
    }

    ThreadReference thread() {
        return thread;
    }

    /** The frame {@code depth} calls above the breakpoint, read afresh: a method call invalidates earlier mirrors. */
    StackFrame frame(int depth) {
        try {
            return thread.frame(depth);
        } catch (IncompatibleThreadStateException e) {
            throw new IllegalStateException("the target's thread is not stopped", e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        Process process = vm.process();
        try {
            vm.exit(0);
        } catch (RuntimeException alreadyGone) {
            // the VM exited or disconnected on its own: only the process is left to reap
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
