package io.sonde.profiler;

import java.util.List;

/**
 * How {@code --event cpu} starts: with perf events (async-profiler's {@code cpu-clock}) where the
 * kernel allows them, else with {@code ctimer}, else {@code itimer}, saying so. async-profiler's
 * own {@code cpu} falls back as well, but silently: trying {@code cpu-clock} first tells which
 * engine runs. Stateless.
 */
final class CpuEngine {
    /** What one attempt runs: async-profiler's {@code execute}, which throws when the engine cannot start. */
    interface Starter {
        void start(String event) throws Exception;
    }

    /**
     * The engine that started.
     *
     * @param event the event async-profiler records ({@code cpu}, {@code ctimer}, {@code itimer})
     * @param note  why it is not perf events; empty when it is
     */
    record Started(String event, String note) {
    }

    private CpuEngine() {
    }

    /**
     * Starts the first engine that can.
     *
     * @throws IllegalStateException if none can; the message says what each said
     */
    static Started start(Starter starter) {
        String why;
        try {
            starter.start("cpu-clock");
            return new Started("cpu", "");
        } catch (Exception e) {
            why = e.getMessage();
        }
        StringBuilder failures = new StringBuilder("perf events: " + why);
        for (String timer : List.of("ctimer", "itimer")) {
            try {
                starter.start(timer);
                return new Started(timer, "cpu: perf events are not allowed here (" + why + "; see"
                        + " /proc/sys/kernel/perf_event_paranoid, or the container's seccomp profile), so this profile"
                        + " uses " + timer + " instead: CPU time of Java and native frames, without kernel frames.");
            } catch (Exception e) {
                failures.append("; ").append(timer).append(": ").append(e.getMessage());
            }
        }
        throw new IllegalStateException("no CPU profiling engine can start in this process (" + failures + ").");
    }
}
