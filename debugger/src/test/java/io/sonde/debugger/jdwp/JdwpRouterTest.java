package io.sonde.debugger.jdwp;

import com.sun.jdi.Bootstrap;
import com.sun.jdi.IntegerValue;
import com.sun.jdi.LongValue;
import com.sun.jdi.Method;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.ThreadReference;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.connect.spi.Connection;
import com.sun.jdi.event.BreakpointEvent;
import com.sun.jdi.event.Event;
import com.sun.jdi.event.EventSet;
import com.sun.jdi.event.LocatableEvent;
import com.sun.jdi.event.StepEvent;
import com.sun.jdi.event.VMDisconnectEvent;
import com.sun.jdi.request.BreakpointRequest;
import com.sun.jdi.request.EventRequest;
import com.sun.jdi.request.StepRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The router against a real VM over real JDWP, with real JDI debuggers as its clients. */
class JdwpRouterTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final Pattern LISTENING = Pattern.compile("Listening for transport dt_socket at address: (\\d+)");

    Process target;
    final List<String> output = new CopyOnWriteArrayList<>();
    int port;
    JdwpRouter router;
    final List<VirtualMachine> vms = new ArrayList<>();
    /** Every event each debugger received, to check none went to the wrong one. */
    final Map<VirtualMachine, List<Event>> seen = new HashMap<>();

    @BeforeEach
    void launch() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classes = Path.of(RouterTarget.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        target = new ProcessBuilder(java, "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:0",
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", classes, RouterTarget.class.getName())
                .redirectErrorStream(true).start();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(target.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                }
            } catch (IOException ignored) {
                // the target ended
            }
        }, "router-target-output");
        pump.setDaemon(true);
        pump.start();
        await().atMost(WAIT).until(() -> output.contains("ready"));
        port = listeningPorts().get(0);
        router = JdwpRouter.attach(port, Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() throws Exception {
        if (router != null) {
            router.close();
        }
        target.destroyForcibly();
        target.waitFor(5, TimeUnit.SECONDS);
    }

    @Test
    void twoDebuggersAtOnceEachGetTheirOwnEventsAndCanStepAndLook() throws Exception {
        // Not to lose: each debugger's hits, and only its own; stepping and locals work in both at once.
        VirtualMachine a = attach("a");
        VirtualMachine b = attach("b");
        breakAt(a, "alpha", EventRequest.SUSPEND_EVENT_THREAD);
        breakAt(b, "beta", EventRequest.SUSPEND_EVENT_THREAD);

        for (int round = 0; round < 3; round++) {
            stepOnce(a, "alpha", "twice", 2);
            stepOnce(b, "beta", "thrice", 3);
        }

        assertThat(locations(a)).isNotEmpty().allMatch(m -> m.equals("alpha"));
        assertThat(locations(b)).isNotEmpty().allMatch(m -> m.equals("beta"));
    }

    @Test
    void aDebuggerThatDisposesWhileItsBreakpointHoldsTheVmLetsItGo() throws Exception {
        // Not to lose: the threads the leaving debugger's SUSPEND_ALL stopped run again; the other
        // debugger, stopped meanwhile too, keeps getting its own hits.
        VirtualMachine a = attach("a");
        VirtualMachine b = attach("b");
        breakAt(a, "alpha", EventRequest.SUSPEND_ALL);
        Hit held = next(a, BreakpointEvent.class);
        breakAt(b, "beta", EventRequest.SUSPEND_EVENT_THREAD);
        long frozen = calls(b, "alphaCalls");
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> calls(b, "alphaCalls") == frozen);
        assertThat(held.event.thread().isSuspended()).isTrue();

        a.dispose();

        await().atMost(WAIT).until(() -> calls(b, "alphaCalls") > frozen + 10);
        keepsHitting(b, "beta", 3);
        assertThat(router.clientCount()).isEqualTo(1);
    }

    @Test
    void aDebuggerThatVanishesWithoutDisposeIsCleanedUpTheSameWay() throws Exception {
        // Not to lose: a client that closes its connection mid-breakpoint (a tunnel that broke) leaves
        // no thread suspended and no request behind; its JDI sees the disconnect.
        Connection raw = router.connect("a");
        VirtualMachine a = Bootstrap.virtualMachineManager().createVirtualMachine(raw);
        vms.add(a);
        VirtualMachine b = attach("b");
        breakAt(a, "alpha", EventRequest.SUSPEND_EVENT_THREAD);
        breakAt(a, "beta", EventRequest.SUSPEND_ALL);
        next(a, BreakpointEvent.class);
        long frozen = calls(b, "alphaCalls");

        raw.close();

        assertThat(next(a, VMDisconnectEvent.class)).isNotNull();
        await().atMost(WAIT).until(() -> calls(b, "alphaCalls") > frozen + 10);
        breakAt(b, "beta", EventRequest.SUSPEND_EVENT_THREAD);
        keepsHitting(b, "beta", 3);
        long before = router.droppedEvents();
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> router.droppedEvents() - before < 3);
        assertThat(router.clientCount()).isEqualTo(1);
    }

    @Test
    void aBreakpointInALoopStopsAtEveryHitWhileOthersComeAndGo() throws Exception {
        // Not to lose: a single call of alpha. The argument grows by one per call, so the hits the
        // staying debugger sees must be consecutive, across a debugger that set a breakpoint on the
        // same line and disposed while holding it, and one that vanished.
        VirtualMachine c = attach("c");
        breakAt(c, "alpha", EventRequest.SUSPEND_EVENT_THREAD);
        List<Integer> args = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Hit hit = next(c, BreakpointEvent.class);
            args.add(argument(hit));
            if (i == 4) {
                VirtualMachine d = attach("d");
                breakAt(d, "alpha", EventRequest.SUSPEND_EVENT_THREAD);
                hit.set.resume();
                next(d, BreakpointEvent.class); // held, not resumed
                d.dispose();
            } else if (i == 9) {
                Connection raw = router.connect("e");
                VirtualMachine e = Bootstrap.virtualMachineManager().createVirtualMachine(raw);
                breakAt(e, "alpha", EventRequest.SUSPEND_ALL);
                hit.set.resume();
                next(e, BreakpointEvent.class);
                raw.close();
            } else {
                hit.set.resume();
            }
        }
        for (int i = 1; i < args.size(); i++) {
            assertThat(args.get(i)).as("hit %d of %s", i, args).isEqualTo(args.get(i - 1) + 1);
        }
    }

    @Test
    void whenTheVmExitsEveryDebuggerIsDisconnected() throws Exception {
        // Not to lose: the end of the VM, for every client, even one stopped at a breakpoint.
        VirtualMachine a = attach("a");
        VirtualMachine b = attach("b");
        breakAt(a, "alpha", EventRequest.SUSPEND_EVENT_THREAD);
        next(a, BreakpointEvent.class);

        OutputStream stdin = target.getOutputStream();
        stdin.write("exit\n".getBytes(StandardCharsets.UTF_8));
        stdin.flush();

        assertThat(next(a, VMDisconnectEvent.class)).isNotNull();
        assertThat(next(b, VMDisconnectEvent.class)).isNotNull();
        await().atMost(WAIT).until(() -> !router.isOpen());
        assertThat(router.failure()).isEmpty();
        assertThatThrownBy(() -> router.connect("late")).isInstanceOf(IOException.class);
    }

    @Test
    void aQuietConnectionOutlivesTheAttachTimeout() throws Exception {
        // Not to lose: the worker's hold on its agent. Attach's timeout bounds the handshake only; a
        // connection on which the VM says nothing for longer stays (a worker exits when it ends).
        router.close();
        // the agent listens again, on a new port, once its connection is gone
        int again = await().atMost(WAIT).until(() -> listeningPorts().stream().filter(p -> p != port).findFirst(),
                java.util.Optional::isPresent).orElseThrow();
        router = JdwpRouter.attach(again, Duration.ofMillis(300));
        await().during(Duration.ofMillis(1500)).atMost(WAIT).until(() -> router.isOpen());
        assertThat(router.failure()).isEmpty();
    }

    @Test
    void theAgentDoesNotListenAgainAfterTheDebuggersLeave() throws Exception {
        // Not to lose: the router's hold on the agent's only connection, which is what keeps any
        // other local process from attaching to the worker.
        attach("a").dispose();
        router.connect("b").close();
        await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> listeningPorts().size() == 1);
        assertThat(answersHandshake(port)).isFalse();

        VirtualMachine c = attach("c");
        breakAt(c, "beta", EventRequest.SUSPEND_EVENT_THREAD);
        keepsHitting(c, "beta", 2);
    }

    @Test
    void clearAllBreakpointsAndExitOnlyTouchTheDebuggerThatSentThem() throws Exception {
        // Not to lose: a's breakpoint, when b clears all of its own; the VM, when b asks it to exit.
        VirtualMachine a = attach("a");
        VirtualMachine b = attach("b");
        breakAt(b, "alpha", EventRequest.SUSPEND_EVENT_THREAD);
        Hit first = next(b, BreakpointEvent.class);
        breakAt(a, "alpha", EventRequest.SUSPEND_EVENT_THREAD);
        first.set.resume();
        Hit shared = next(a, BreakpointEvent.class); // the same call stops both
        Hit mine = next(b, BreakpointEvent.class);
        assertThat(argument(mine)).isEqualTo(argument(shared));
        shared.set.resume();
        mine.set.resume();
        b.eventRequestManager().deleteAllBreakpoints();
        keepsHitting(a, "alpha", 3);
        long before = seen.get(b).size();
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> {
            drain(b);
            return seen.get(b).size() == before;
        });

        assertThatThrownBy(() -> b.exit(3)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(target.isAlive()).isTrue();
        keepsHitting(a, "alpha", 2);
    }

    @Test
    void aRequestWhoseOwnerLeftBeforeItWasAnsweredIsClearedAndCannotHangTheVm() throws Exception {
        // Not to lose: the VM's progress. Each owner closes before the VM answers its Set: the router
        // clears the request itself, and resumes what its events suspended before the clear.
        VirtualMachine b = attach("b");
        for (int i = 0; i < 30; i++) {
            RawClient raw = new RawClient(router.connect("raw " + i));
            byte[] set = raw.breakpointAt(RouterTarget.class, "alpha", EventRequest.SUSPEND_ALL);
            raw.send(Jdwp.EVENT_REQUEST, Jdwp.EVENT_REQUEST_SET, set);
            raw.connection.close();
        }
        long from = calls(b, "alphaCalls");
        await().atMost(WAIT).until(() -> calls(b, "alphaCalls") > from + 20);
        long dropped = router.droppedEvents();
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> router.droppedEvents() == dropped);
    }

    @Test
    void heldEventsWaitForTheirClientOnlyAndAllArriveOnRelease() throws Exception {
        // Not to lose: the events a client holds (HoldEvents), nor the other clients' events meanwhile.
        RawClient raw = new RawClient(router.connect("raw"));
        VirtualMachine b = attach("b");
        breakAt(b, "beta", EventRequest.SUSPEND_EVENT_THREAD);
        raw.call(Jdwp.VIRTUAL_MACHINE, Jdwp.VM_HOLD_EVENTS, new byte[0]);
        raw.call(Jdwp.EVENT_REQUEST, Jdwp.EVENT_REQUEST_SET,
                raw.breakpointAt(RouterTarget.class, "alpha", EventRequest.SUSPEND_NONE));
        long from = calls(b, "alphaCalls");
        keepsHitting(b, "beta", 3);
        await().atMost(WAIT).until(() -> calls(b, "alphaCalls") > from + 5);
        assertThat(raw.events).isEmpty();

        raw.call(Jdwp.VIRTUAL_MACHINE, Jdwp.VM_RELEASE_EVENTS, new byte[0]);
        await().atMost(WAIT).until(() -> raw.events.size() >= 5);
    }

    @Test
    void aMalformedPacketIsRefusedWithWhatIsWrongAndTheClientStays() throws Exception {
        // Not to lose: why a packet was refused, and the client's connection after it.
        RawClient raw = new RawClient(router.connect("raw"));
        assertThatThrownBy(() -> raw.connection.writePacket(new byte[5]))
                .isInstanceOf(IOException.class).hasMessageContaining("less than the 11-byte header");
        byte[] lying = Jdwp.command(90, Jdwp.VIRTUAL_MACHINE, 1, new byte[0]);
        Jdwp.putInt(lying, 0, 40);
        assertThatThrownBy(() -> raw.connection.writePacket(lying))
                .isInstanceOf(IOException.class).hasMessageContaining("declares length 40 but has 11 bytes");
        assertThatThrownBy(() -> raw.connection.writePacket(Jdwp.reply(91, 0)))
                .isInstanceOf(IOException.class).hasMessageContaining("sent a reply packet");
        assertThatThrownBy(() -> raw.connection.writePacket(Jdwp.command(92, Jdwp.THREAD_REFERENCE, Jdwp.THREAD_RESUME, new byte[3])))
                .isInstanceOf(IOException.class).hasMessageContaining("ThreadReference.Resume carries 3 bytes of data, needs 8");

        assertThat(RawClient.string(raw.call(Jdwp.VIRTUAL_MACHINE, 1, new byte[0]))).isNotBlank(); // Version
        assertThat(raw.connection.isOpen()).isTrue();
    }

    // ---- helpers

    VirtualMachine attach(String name) throws IOException {
        VirtualMachine vm = Bootstrap.virtualMachineManager().createVirtualMachine(router.connect(name));
        vms.add(vm);
        return vm;
    }

    static Method method(VirtualMachine vm, String name) {
        ReferenceType type = vm.classesByName(RouterTarget.class.getName()).get(0);
        return type.methodsByName(name).get(0);
    }

    static BreakpointRequest breakAt(VirtualMachine vm, String methodName, int policy) {
        BreakpointRequest r = vm.eventRequestManager().createBreakpointRequest(method(vm, methodName).location());
        r.setSuspendPolicy(policy);
        r.enable();
        return r;
    }

    static long calls(VirtualMachine vm, String field) {
        ReferenceType type = vm.classesByName(RouterTarget.class.getName()).get(0);
        return ((LongValue) type.getValue(type.fieldByName(field))).value();
    }

    record Hit(EventSet set, LocatableEvent event) {
    }

    /** The next event set of {@code vm} with an event of {@code type}; sets without one are resumed. */
    Hit next(VirtualMachine vm, Class<? extends Event> type) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            EventSet set = vm.eventQueue().remove(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            if (set == null) {
                break;
            }
            seen.computeIfAbsent(vm, k -> new CopyOnWriteArrayList<>()).addAll(set);
            for (Event e : set) {
                if (type.isInstance(e)) {
                    return new Hit(set, e instanceof LocatableEvent l ? l : null);
                }
            }
            set.resume();
        }
        throw new AssertionError("no " + type.getSimpleName() + " within " + WAIT + " for " + vm);
    }

    /** Takes the events waiting for {@code vm}, resuming them. */
    void drain(VirtualMachine vm) throws InterruptedException {
        EventSet set;
        while ((set = vm.eventQueue().remove(1)) != null) {
            seen.computeIfAbsent(vm, k -> new CopyOnWriteArrayList<>()).addAll(set);
            set.resume();
        }
    }

    /** {@code times} breakpoint hits of {@code vm} in {@code methodName}, each resumed. */
    void keepsHitting(VirtualMachine vm, String methodName, int times) throws InterruptedException {
        for (int i = 0; i < times; i++) {
            Hit hit = next(vm, BreakpointEvent.class);
            assertThat(hit.event.location().method().name()).isEqualTo(methodName);
            hit.set.resume();
        }
    }

    /** At a hit in {@code methodName}: looks at the argument, steps one line, reads the local it set. */
    void stepOnce(VirtualMachine vm, String methodName, String local, int factor) throws Exception {
        Hit hit = next(vm, BreakpointEvent.class);
        ThreadReference thread = hit.event.thread();
        assertThat(thread.name()).isEqualTo(methodName + "-loop");
        int n = argument(hit);
        int line = hit.event.location().lineNumber();
        StepRequest step = vm.eventRequestManager().createStepRequest(thread, StepRequest.STEP_LINE, StepRequest.STEP_OVER);
        step.addCountFilter(1);
        step.setSuspendPolicy(EventRequest.SUSPEND_EVENT_THREAD);
        step.enable();
        hit.set.resume();
        Hit stepped = next(vm, StepEvent.class);
        assertThat(stepped.event.thread()).isEqualTo(thread);
        assertThat(stepped.event.location().lineNumber()).isEqualTo(line + 1);
        var frame = stepped.event.thread().frame(0);
        assertThat(((IntegerValue) frame.getValue(frame.visibleVariableByName(local))).value()).isEqualTo(n * factor);
        vm.eventRequestManager().deleteEventRequest(step);
        stepped.set.resume();
    }

    /** The int argument of the method a hit stopped in. */
    static int argument(Hit hit) throws Exception {
        return ((IntegerValue) hit.event.thread().frame(0).getArgumentValues().get(0)).value();
    }

    List<String> locations(VirtualMachine vm) {
        List<String> methods = new ArrayList<>();
        for (Event e : seen.getOrDefault(vm, List.of())) {
            if (e instanceof LocatableEvent l) {
                methods.add(l.location().method().name());
            }
        }
        return methods;
    }

    List<Integer> listeningPorts() {
        List<Integer> ports = new ArrayList<>();
        for (String line : output) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                ports.add(Integer.parseInt(m.group(1)));
            }
        }
        return ports;
    }

    /** Whether something on {@code port} answers the JDWP handshake within a second. */
    static boolean answersHandshake(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(1000);
            s.getOutputStream().write("JDWP-Handshake".getBytes(StandardCharsets.US_ASCII));
            byte[] answer = s.getInputStream().readNBytes(14);
            return new String(answer, StandardCharsets.US_ASCII).equals("JDWP-Handshake");
        } catch (ConnectException | SocketTimeoutException refused) {
            return false;
        }
    }
}
