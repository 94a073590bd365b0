package io.sonde.profiler;

import io.sonde.profiler.proto.ProcessStacks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;

/**
 * Every thread of this JVM, as {@code sonde stack} prints them: jstack's layout, each task thread
 * labelled with its task, and threads parked at a breakpoint marked. Stateless.
 */
final class Stacks {
    private Stacks() {
    }

    static ProcessStacks of(ProcessProfiler.Host host) {
        Map<Thread, StackTraceElement[]> all = Thread.getAllStackTraces();
        ThreadInfo[] infos = ManagementFactory.getThreadMXBean().dumpAllThreads(false, false);
        Map<Long, ThreadInfo> byId = new java.util.HashMap<>();
        for (ThreadInfo i : infos) {
            byId.put(i.getThreadId(), i);
        }
        StringBuilder b = new StringBuilder();
        all.entrySet().stream().sorted(Comparator.comparing((Map.Entry<Thread, StackTraceElement[]> e) ->
                        host.taskLabel(e.getKey()).isEmpty()).thenComparing(e -> e.getKey().getName()))
                .forEach(e -> thread(b, host, e.getKey(), e.getValue(), Optional.ofNullable(byId.get(e.getKey().getId()))));
        return ProcessStacks.newBuilder().setWho(host.describe()).setText(b.toString()).build();
    }

    private static void thread(StringBuilder b, ProcessProfiler.Host host, Thread t, StackTraceElement[] stack,
                               Optional<ThreadInfo> info) {
        b.append('"').append(t.getName()).append("\" #").append(t.getId()).append(t.isDaemon() ? " daemon" : "")
                .append(' ').append(t.getState());
        host.taskLabel(t).ifPresent(l -> b.append("  ").append(l));
        if (BreakpointStops.parked(stack)) {
            b.append("  [parked at a breakpoint]");
        }
        b.append('\n');
        info.map(ThreadInfo::getLockName).ifPresent(l -> b.append("    waiting on ").append(l).append('\n'));
        Arrays.stream(stack).forEach(f -> b.append("    at ").append(f).append('\n'));
        b.append('\n');
    }
}
