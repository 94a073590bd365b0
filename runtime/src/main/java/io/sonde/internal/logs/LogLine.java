package io.sonde.internal.logs;

import java.util.Objects;

/**
 * One line that a worker printed to its stdout or stderr, as delivered to the driver.
 *
 * <p>Immutable, so it is safe to share between threads.
 *
 * @param sourceId identifies the worker process that printed the line; unique per worker
 * @param taskName the task or actor class running in the worker, or null/empty when unknown
 * @param pid the worker's process id
 * @param node null or empty when the worker runs on the driver's node, otherwise the node's IP
 * @param stderr true when the line came from stderr rather than stdout
 * @param text the line itself, without its line terminator
 */
public record LogLine(
        String sourceId, String taskName, long pid, String node, boolean stderr, String text) {

    /**
     * The line a worker prints on stdout and stderr when a task starts, followed by the task's
     * name: {@code :task_name:NAME}. The node's log pump takes it out of the relayed output and
     * prefixes the lines that follow with the name.
     */
    public static final String TASK_MARKER = ":task_name:";

    public LogLine {
        Objects.requireNonNull(sourceId, "sourceId");
        Objects.requireNonNull(text, "text");
    }

    /** True when the worker runs on another node than the driver. */
    public boolean isRemote() {
        return node != null && !node.isEmpty();
    }
}
