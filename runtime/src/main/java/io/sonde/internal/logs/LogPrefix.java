package io.sonde.internal.logs;

/**
 * Formats worker output for the driver's console: {@code (square pid=1234) text}, or {@code
 * (Counter pid=1234, node=10.0.0.3) text} for a worker on another node.
 *
 * <p>With colour on, the prefix is wrapped in an ANSI colour picked from the pid, so lines of one
 * worker are easy to follow when several workers interleave. Immutable and thread-safe.
 */
public final class LogPrefix {

    private static final String RESET = "\u001B[0m";
    // Green is left out of the palette: it marks the "[repeated ...]" suffix, as in Ray.
    private static final String REPEAT_COLOUR = "\u001B[32m";
    private static final String[] PALETTE = {
        "\u001B[36m", // cyan
        "\u001B[35m", // magenta
        "\u001B[34m", // blue
        "\u001B[33m", // yellow
        "\u001B[96m", // bright cyan
        "\u001B[95m", // bright magenta
    };

    private final boolean colour;

    /**
     * @param colour whether to emit ANSI colour codes; the caller decides, e.g. from a TTY check
     */
    public LogPrefix(boolean colour) {
        this.colour = colour;
    }

    public boolean colour() {
        return colour;
    }

    /**
     * The prefix alone, e.g. {@code (square pid=1234)}. Stdout and stderr lines of a worker get the
     * same prefix, so the worker stays recognisable whichever stream it writes to.
     */
    public String prefix(LogLine line) {
        StringBuilder sb = new StringBuilder("(");
        if (line.pid() == 0) {
            // a line of the node itself: "(node-manager, node=10.0.0.3)"
            sb.append(line.taskName());
            if (line.isRemote()) {
                sb.append(", node=").append(line.node());
            }
            sb.append(')');
            return sb.toString();
        }
        if (line.taskName() != null && !line.taskName().isBlank()) {
            sb.append(line.taskName()).append(' ');
        }
        sb.append("pid=").append(line.pid());
        if (line.isRemote()) {
            sb.append(", node=").append(line.node());
        }
        sb.append(')');
        return colour ? colourFor(line.pid()) + sb + RESET : sb.toString();
    }

    /** The line ready to print: prefix, a space, then the text. */
    public String format(LogLine line) {
        return prefix(line) + " " + line.text();
    }

    /** The marker appended to a folded line, e.g. {@code " [repeated 3x across cluster]"}. */
    public String repeatedSuffix(int count) {
        String marker = " [repeated " + count + "x across cluster]";
        return colour ? REPEAT_COLOUR + marker + RESET : marker;
    }

    /** The ANSI colour used for a pid's prefix; the same pid always gets the same colour. */
    static String colourFor(long pid) {
        // Plain modulo rather than a hash: workers started one after another usually have
        // neighbouring pids, and modulo guarantees those get different colours.
        return PALETTE[(int) Math.floorMod(pid, (long) PALETTE.length)];
    }
}
