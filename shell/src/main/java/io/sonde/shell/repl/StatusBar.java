package io.sonde.shell.repl;

import io.grpc.StatusRuntimeException;
import io.sonde.proto.ClusterStatus;
import io.sonde.cli.table.ClusterTables;
import org.jline.reader.LineReader;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;
import org.jline.utils.InfoCmp.Capability;
import org.jline.utils.Status;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The line at the bottom of the terminal that keeps the cluster in view while you type:
 * {@code sonde | embedded 127.0.0.1:40321 | 1 node | 2 running, 0 pending | CPUs 2.0/4.0},
 * refreshed every second. Other features add their own parts with {@link #addSegment}
 * (breakpoints, a profiler that is recording...).
 *
 * <p>Drawn with JLine's {@link Status}, which keeps a scroll region above it; terminals
 * without one (dumb terminals, pipes) get no status line.
 */
public final class StatusBar implements AutoCloseable {
    /** The widget that redraws the status under the line reader's lock while it reads. */
    static final String REDRAW_WIDGET = "sonde-status-redraw";
    private static final Duration REFRESH = Duration.ofSeconds(1);
    private static final Duration RPC_DEADLINE = Duration.ofMillis(900);

    private final ClusterView cluster;
    private final ReplOutput output;
    private final Status status;
    private final List<Supplier<Optional<String>>> segments = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sonde-status-line");
        t.setDaemon(true);
        return t;
    });
    private volatile List<AttributedString> lines = List.of();

    private StatusBar(ClusterView cluster, ReplOutput output, Status status) {
        this.cluster = cluster;
        this.output = output;
        this.status = status;
    }

    /** A status bar on the output's terminal, or empty when the terminal cannot show one. */
    static Optional<StatusBar> open(ClusterView cluster, ReplOutput output, LineReader reader) {
        org.jline.terminal.Terminal t = output.terminal();
        boolean capable = !t.getType().startsWith(org.jline.terminal.Terminal.TYPE_DUMB)
                && t.getStringCapability(Capability.change_scroll_region) != null
                && t.getStringCapability(Capability.save_cursor) != null
                && t.getStringCapability(Capability.restore_cursor) != null
                && t.getStringCapability(Capability.cursor_address) != null
                && t.getSize().getRows() > 2;
        Status s = capable ? Status.getStatus(t) : null;
        if (s == null) {
            return Optional.empty();
        }
        StatusBar bar = new StatusBar(cluster, output, s);
        reader.getWidgets().put(REDRAW_WIDGET, () -> {
            s.update(bar.lines);
            return true;
        });
        output.status(s);
        return Optional.of(bar);
    }

    /**
     * Adds a part after the cluster's: called on every refresh (off the shell's thread, so it
     * must be quick and thread-safe); an empty result hides the part.
     */
    public void addSegment(Supplier<Optional<String>> segment) {
        segments.add(segment);
    }

    /**
     * Draws the line at once (drawing it the first time may scroll the screen, so this comes
     * before anything else is printed), then fills in the cluster's numbers every second, off
     * the shell's thread: the first call to the cluster must not delay the prompt.
     */
    void start() {
        draw(String.join(" | ", "sonde", where()));
        timer.scheduleWithFixedDelay(this::refresh, 0, REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    }

    private String where() {
        return (cluster.embedded() ? "embedded " : "") + cluster.address().replace("sonde://", "");
    }

    /** The text of the line, without styling: what tests and dumb terminals can read. */
    String text() {
        List<String> parts = new ArrayList<>();
        parts.add("sonde");
        parts.add(where());
        try {
            ClusterStatus s = cluster.status(RPC_DEADLINE);
            long alive = s.getNodesList().stream().filter(n -> n.getAlive()).count();
            parts.add(alive + (alive == 1 ? " node" : " nodes"));
            parts.add(s.getRunningTasks() + " running, " + s.getPendingTasks() + " pending");
            parts.add("CPUs " + ClusterTables.cpus(s));
        } catch (StatusRuntimeException e) {
            parts.add("cluster not answering");
        }
        for (Supplier<Optional<String>> segment : segments) {
            try {
                segment.get().ifPresent(parts::add);
            } catch (RuntimeException e) {
                // a broken segment must not take the status line down
            }
        }
        return String.join(" | ", parts);
    }

    private void refresh() {
        draw(text());
    }

    private void draw(String text) {
        try {
            AttributedString line = new AttributedStringBuilder()
                    .style(AttributedStyle.DEFAULT.inverse())
                    .append(" ").append(text).append(" ")
                    .toAttributedString();
            lines = List.of(line);
            output.updateStatus(lines);
        } catch (RuntimeException e) {
            // the terminal went away while closing; the next refresh (if any) tries again
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        output.status(null);
        status.update(List.of());
        status.close();
        output.terminal().flush();
    }
}
