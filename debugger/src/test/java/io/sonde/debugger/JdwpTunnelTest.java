package io.sonde.debugger;

import com.sun.jdi.Bootstrap;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.event.Event;
import com.sun.jdi.event.EventSet;
import com.sun.jdi.event.VMDisconnectEvent;
import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.debugger.proto.BreakpointInfo;
import io.sonde.debugger.proto.DebugHooksUpdate;
import io.sonde.debugger.proto.LineBreakpoint;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The worker's JDWP connection, held by the worker and reached only through the node: every hit of
 * a breakpoint stops the task however debuggers come and go, no JDWP agent listens on the machine,
 * and a debugger learns when its worker is gone.
 */
class JdwpTunnelTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);
    static final NodeBreakpoints breakpoints = new NodeBreakpoints(cluster);

    static final Duration ATTACH = Duration.ofSeconds(10);

    static int loop(int n) {
        int total = 0;
        for (int i = 0; i < n; i++) {
            total += i; // LINE_LOOP
        }
        return total;
    }

    static long pid() {
        return ProcessHandle.current().pid();
    }

    static int parked(int x) {
        Sonde.breakpoint();
        return x;
    }

    @AfterEach
    void clearHooks() {
        breakpoints.updateHooks(DebugHooksUpdate.newBuilder().setRemoveAllLines(true).setRemoveAllCatches(true).build());
    }

    /**
     * Must not be lost: a stop at each hit of a {@code break} in the same task, after a
     * {@code continue}, after a detach, and after a session that stopped at a hit itself and then
     * left (the worker used to take its JDWP agent back after a detach, and could park a task once).
     */
    @Test
    void aBreakInALoopStopsAtEveryHitOfTheSameTaskHoweverDebuggersComeAndGo() {
        int line = ClusterBreakpointsTest.lineOf("JdwpTunnelTest.java", "LINE_LOOP");
        breakpoints.updateHooks(DebugHooksUpdate.newBuilder().addAddLines(LineBreakpoint.newBuilder()
                .setFile("JdwpTunnelTest.java").setLine(line)).build());
        ObjectRef<Integer> r = Sonde.task(JdwpTunnelTest::loop, 6).name("loop").remote();

        DebugSession s = attachAt(0);
        s.resume(); // continue: detached, the task runs on
        s = attachAt(1);
        s.detach();
        s = attachAt(2);
        s.addBreakpoint("JdwpTunnelTest.java:" + line, null); // as the console does on attach
        DebugSession.StepResult next = s.proceed(); // stays attached: the session's own breakpoint stops it
        assertThat(next.stopped()).isTrue();
        assertThat(s.evaluate("i")).isEqualTo("3");
        s.resume();
        s = attachAt(4);
        s.resume();
        s = attachAt(5);
        breakpoints.updateHooks(DebugHooksUpdate.newBuilder().setRemoveAllLines(true).build());
        s.resume();
        assertThat(Sonde.get(r, Duration.ofSeconds(30))).isEqualTo(15);
        breakpoints.awaitNone("loop");
    }

    /** Attaches to the stop of task "loop" at iteration {@code i}, once it is listed. */
    private static DebugSession attachAt(int i) {
        DebugSession[] attached = new DebugSession[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            BreakpointInfo b = breakpoints.list().stream().filter(x -> x.getTaskName().equals("loop")).findFirst().orElse(null);
            if (b == null) {
                return false;
            }
            DebugSession s;
            try {
                s = DebugSession.attach(breakpoints, b, ATTACH);
            } catch (DebugException stale) {
                return false; // the listing of the stop before, not yet replaced
            }
            attached[0] = s;
            return true;
        });
        DebugSession s = attached[0];
        assertThat(s.evaluate("i")).isEqualTo(Integer.toString(i));
        return s;
    }

    /**
     * Must not be lost: no JDWP agent of a worker listens for anyone, neither once the worker has
     * started nor after a debugger came and went (the agent used to listen again after each detach).
     */
    @Test
    void noWorkerListensForJdwpAfterItStartedNorAfterADebuggerLeft() {
        long pid = Sonde.get(Sonde.task(JdwpTunnelTest::pid).remote(), Duration.ofSeconds(30));
        assertThat(selfConnectionPorts(pid)).as("the worker holds a loopback connection to its own agent").hasSize(2);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                .until(() -> jdwpListeners(pid).isEmpty());

        ObjectRef<Integer> r = Sonde.task(JdwpTunnelTest::parked, 3).name("held").remote();
        BreakpointInfo b = breakpoints.await("held");
        try (DebugSession s = DebugSession.attach(breakpoints, b, ATTACH)) {
            assertThat(s.evaluate("x")).isEqualTo("3");
            assertThat(jdwpListeners(b.getPid())).isEmpty();
        }
        assertThat(Sonde.get(r, Duration.ofSeconds(30))).isEqualTo(3);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                .until(() -> jdwpListeners(b.getPid()).isEmpty());
    }

    /**
     * Must not be lost: the worker's agent, whose port a local process could learn, takes no other
     * connection: both ends of the worker's connection to itself (one is where the agent listened)
     * refuse a raw JDWP handshake.
     */
    @Test
    void aRawConnectionToWhereTheAgentListenedGetsNoJdwp() throws Exception {
        long pid = Sonde.get(Sonde.task(JdwpTunnelTest::pid).remote(), Duration.ofSeconds(30));
        List<Integer> ports = selfConnectionPorts(pid);
        assertThat(ports).hasSize(2);
        for (int port : ports) {
            assertThat(answersJdwp(port)).as("port %d answers the JDWP handshake", port).isFalse();
        }
        // and the worker still serves debuggers, through the node
        ObjectRef<Integer> r = Sonde.task(JdwpTunnelTest::parked, 4).name("after").remote();
        BreakpointInfo b = breakpoints.await("after");
        try (DebugSession s = DebugSession.attach(breakpoints, b, ATTACH)) {
            assertThat(s.evaluate("x")).isEqualTo("4");
        }
        assertThat(Sonde.get(r, Duration.ofSeconds(30))).isEqualTo(4);
    }

    /** Must not be lost: a debugger whose worker dies learns it (JDI's VMDisconnectEvent), and does not hang. */
    @Test
    void aDebuggerSeesItsWorkerExit() throws Exception {
        ObjectRef<Integer> r = Sonde.task(JdwpTunnelTest::parked, 5).name("doomed").remote();
        BreakpointInfo b = breakpoints.await("doomed");
        VirtualMachine vm = Bootstrap.virtualMachineManager().createVirtualMachine(breakpoints.jdwp(b));
        assertThat(vm.allThreads()).isNotEmpty();
        ProcessHandle.of(b.getPid()).orElseThrow().destroyForcibly();
        boolean disconnected = false;
        long deadline = System.currentTimeMillis() + 30_000;
        while (!disconnected && System.currentTimeMillis() < deadline) {
            EventSet set = vm.eventQueue().remove(1000);
            if (set != null) {
                for (Event e : set) {
                    disconnected |= e instanceof VMDisconnectEvent;
                }
            }
        }
        assertThat(disconnected).isTrue();
        // the node unlists the dead worker's stop (the task's retry may park again, in another worker)
        await().atMost(Duration.ofSeconds(10)).until(() -> breakpoints.list().stream().noneMatch(x -> x.getPid() == b.getPid()));
        Sonde.cancel(r);
    }

    // ------------------------------------------------------------------ the worker's sockets

    /** The inodes of the sockets a process holds open. */
    private static Set<String> socketInodes(long pid) {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return inodes;
    }

    /** /proc/net/tcp and tcp6 rows: [local address:port, remote address:port, state, inode]. */
    private static List<String[]> tcpRows() {
        List<String[]> rows = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String l : Files.readAllLines(Path.of(table)).stream().skip(1).toList()) {
                    String[] f = l.trim().split("\\s+");
                    rows.add(new String[] {ipv4(f[1]), ipv4(f[2]), f[3], f[9]});
                }
            } catch (IOException absent) {
                // no IPv6
            }
        }
        return rows;
    }

    /** A tcp6 row's IPv4-mapped address as tcp's ({@code 0100007F:1F90}): Java's sockets are IPv6, the agent's IPv4. */
    private static String ipv4(String address) {
        return address.startsWith("0000000000000000FFFF0000") ? address.substring(24) : address;
    }

    private static int port(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1), 16);
    }

    /** The ports the process listens on that answer the JDWP handshake. */
    private static List<Integer> jdwpListeners(long pid) {
        Set<String> mine = socketInodes(pid);
        List<Integer> jdwp = new ArrayList<>();
        for (String[] row : tcpRows()) {
            if (row[2].equals("0A") && mine.contains(row[3]) && answersJdwp(port(row[0]))) {
                jdwp.add(port(row[0]));
            }
        }
        return jdwp;
    }

    /**
     * The two local ports of the process's TCP connection to itself on loopback: the worker's
     * connection to its agent, one end being the port the agent listened on.
     */
    private static List<Integer> selfConnectionPorts(long pid) {
        Set<String> mine = socketInodes(pid);
        List<String[]> established = tcpRows().stream().filter(r -> r[2].equals("01") && mine.contains(r[3])).toList();
        List<Integer> ports = new ArrayList<>();
        for (String[] a : established) {
            for (String[] b : established) {
                if (a != b && a[0].equals(b[1]) && a[1].equals(b[0]) && a[0].startsWith("0100007F")) {
                    ports.add(port(a[0]));
                }
            }
        }
        return ports;
    }

    /** Whether something on 127.0.0.1:port answers "JDWP-Handshake". */
    private static boolean answersJdwp(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(2000);
            s.getOutputStream().write("JDWP-Handshake".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            byte[] answer = in.readNBytes(14);
            return new String(answer, StandardCharsets.US_ASCII).equals("JDWP-Handshake");
        } catch (IOException refused) {
            return false;
        }
    }
}
