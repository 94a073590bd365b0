package io.sonde.debugger;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;

import java.io.IOException;
import java.util.OptionalInt;

/**
 * The port a worker's JDWP agent listens on now. A worker started with
 * {@code address=127.0.0.1:0} listens on an ephemeral port, and after a debugger detaches the
 * agent listens again on a new ephemeral port; the worker reports each new port to the node, but
 * the listed one can lag behind a detach. The agent publishes its current address as the agent
 * property {@code sun.jdwp.listenerAddress} ({@code dt_socket:PORT}), which the worker reads
 * itself and the JDK's Attach API reads from a local process of the same user; the debugger asks
 * it when the listed port refuses the connection.
 */
final class JdwpAddress {
    static final String PROPERTY = "sun.jdwp.listenerAddress";

    private JdwpAddress() {
    }

    /**
     * The worker's current JDWP port, other than {@code stale}. Right after a detach the agent may not
     * listen again yet, so the question is repeated for up to {@code patience}.
     */
    static OptionalInt currentPort(long pid, int stale, java.time.Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            OptionalInt port = currentPort(pid);
            if (port.isPresent() && port.getAsInt() != stale || System.nanoTime() > deadline) {
                return port.isPresent() && port.getAsInt() != stale ? port : OptionalInt.empty();
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return OptionalInt.empty();
            }
        }
    }

    /** The worker's current JDWP port, or empty if the Attach API cannot tell (another user, attach disabled, exited). */
    static OptionalInt currentPort(long pid) {
        if (pid <= 0 || ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) {
            return OptionalInt.empty();
        }
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(Long.toString(pid));
        } catch (AttachNotSupportedException | IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
        try {
            return parse(vm.getAgentProperties().getProperty(PROPERTY));
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        } finally {
            try {
                vm.detach();
            } catch (IOException ignored) {
                // the answer is in hand
            }
        }
    }

    /** {@code dt_socket:43111} or {@code 127.0.0.1:43111} to 43111. */
    static OptionalInt parse(String address) {
        if (address == null || address.isBlank()) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(address.substring(address.lastIndexOf(':') + 1).trim()));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
