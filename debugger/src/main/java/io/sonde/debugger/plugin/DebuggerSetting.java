package io.sonde.debugger.plugin;

import java.lang.management.ManagementFactory;
import java.util.Optional;

/**
 * Whether the debugger is on: unless {@code -Dsonde.debugger=off} or {@code SONDE_DEBUGGER=off}
 * where the node runs. The node's plug-in reads it at each worker launch and tells an off
 * worker with {@code -Dsonde.debugger=off}.
 */
final class DebuggerSetting {
    static final String PROPERTY = "sonde.debugger";

    private DebuggerSetting() {
    }

    /** On the node: whether workers launched now get the JDWP agent. */
    static boolean enabled() {
        String v = System.getProperty(PROPERTY, System.getenv("SONDE_DEBUGGER"));
        return v == null || !(v.equalsIgnoreCase("off") || v.equalsIgnoreCase("false") || v.equals("0"));
    }

    /**
     * In a worker: why no debugger can attach to it, or empty when one can. Without a JDWP agent
     * (its node runs the debugger off, or without sonde-debugger) a parked task could never go on.
     */
    static Optional<String> whyOffInWorker() {
        if ("off".equals(System.getProperty(PROPERTY))) {
            return Optional.of("the debugger is off for this cluster (sonde.debugger=off)");
        }
        boolean agent = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-agentlib:jdwp"));
        return agent ? Optional.empty()
                : Optional.of("this worker has no JDWP agent (its node runs without sonde-debugger on its classpath)");
    }
}
