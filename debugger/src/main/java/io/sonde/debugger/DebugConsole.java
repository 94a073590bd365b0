package io.sonde.debugger;

import com.sun.jdi.InvalidStackFrameException;
import com.sun.jdi.ObjectCollectedException;
import com.sun.jdi.VMDisconnectedException;
import io.sonde.debugger.command.Command;
import io.sonde.debugger.command.CommandContext;
import io.sonde.debugger.command.CommandTable;
import io.sonde.debugger.command.Follow;
import io.sonde.debugger.proto.BreakpointInfo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The debugger's text interface, as {@code sonde debug} and the shell's {@code /debug} run it:
 * the list of active breakpoints (refreshed on Enter), then an {@code (sdb)} prompt attached to
 * the chosen one; after {@code continue} or {@code detach} the list comes back, {@code quit} or
 * the end of the input leaves (a task still attached goes on). Reads whole lines, so typed and
 * piped input behave alike.
 */
public final class DebugConsole {
    public static final String LIST_PROMPT = "Enter an index to attach, or press Enter to refresh (quit leaves): ";
    public static final String PROMPT = "(sdb) ";
    /** The prompt while a stop waits for, or is held by, a debugger on the {@code --jdwp-port} listener. */
    public static final String RELAY_PROMPT = "(jdwp) ";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private final BreakpointSource source;
    private final BufferedReader in;
    /** Reads instead of {@code in} when set: a line editor that shows the prompt itself. */
    private final LineInput lineInput;
    private final PrintWriter out;
    private final DebugOptions options;
    private final CommandTable table = CommandTable.standard();
    private final SourceView sources;
    /** How long the console waits for the stop that {@code remote} or {@code get} leads to. */
    static final java.time.Duration FOLLOW_PATIENCE = java.time.Duration.ofSeconds(60);
    /** How long the followed task must have ended before the wait for its stop gives up. */
    private static final java.time.Duration ENDED_GRACE = java.time.Duration.ofMillis(500);
    /** Set by {@code remote} and {@code get} during a session. */
    private Follow following;
    /** The stop {@link #follow} went to instead of the one it waited for: its task's marks are dropped on attach. */
    private BreakpointInfo stoppedAgain;

    public DebugConsole(BreakpointSource source, BufferedReader in, PrintWriter out, DebugOptions options) {
        this(source, in, null, out, options);
    }

    /**
     * A console that reads through a line editor ({@code /debug} in the shell reads the shell's
     * terminal so): the input shows the prompts, and nothing read is echoed.
     */
    public DebugConsole(BreakpointSource source, LineInput in, PrintWriter out, DebugOptions options) {
        this(source, null, in, out, options);
    }

    private DebugConsole(BreakpointSource source, BufferedReader in, LineInput lineInput, PrintWriter out,
                         DebugOptions options) {
        this.source = source;
        this.in = in;
        this.lineInput = lineInput;
        this.out = out;
        this.options = options;
        this.sources = new SourceView(new SourceLocator(options.sourcepath()), options.sourceProvider());
    }

    public DebugConsole(BreakpointSource source, BufferedReader in, PrintStream out, DebugOptions options) {
        this(source, in, new PrintWriter(new OutputStreamWriter(out, Charset.defaultCharset()), true), options);
    }

    /** Runs until {@code quit} or the end of the input. */
    public void run() {
        List<BreakpointInfo> shown = List.of();
        boolean relist = true;
        while (true) {
            if (relist) {
                shown = source.list();
                printBreakpoints(shown, out);
            }
            relist = true;
            String line = read(LIST_PROMPT);
            if (line == null) {
                return;
            }
            String word = line.trim();
            if (word.isEmpty()) {
                continue;
            }
            String first = word.split("\\s+")[0];
            Optional<Command> command = table.find(first);
            if (command.isPresent() && command.get().name().equals("quit")) {
                return;
            }
            if (command.isPresent() && command.get().name().equals("help")) {
                out.println("Enter the index of a breakpoint from the list to attach to its task. Before that, break,"
                        + " clear, catch and ignore set breakpoints in every worker; once attached, all these apply:");
                table.printHelp(out);
                continue;
            }
            if (command.isPresent() && command.get().needs() == Command.Needs.NOTHING) {
                try {
                    command.get().run(context(null), word.substring(first.length()).trim());
                } catch (DebugException e) {
                    out.println(e.getMessage());
                } catch (RuntimeException e) {
                    out.println("`" + first + "` failed: " + e.getMessage());
                }
                relist = false; // the list has not changed: just the prompt again
                continue;
            }
            int index;
            try {
                index = Integer.parseInt(word);
            } catch (NumberFormatException e) {
                out.println(command.isPresent()
                        ? "`" + word + "` needs an attached task: enter a breakpoint index first."
                        : "Enter a breakpoint index from the list, Enter to refresh, or quit.");
                continue;
            }
            Optional<BreakpointInfo> chosen = shown.stream().filter(b -> b.getIndex() == index).findFirst();
            if (chosen.isEmpty()) {
                out.println(shown.isEmpty() ? "There are no active breakpoints to attach to."
                        : "There is no breakpoint " + index + "; the indexes are 0 to " + (shown.size() - 1) + ".");
                continue;
            }
            if (attach(chosen.get())) {
                return;
            }
        }
    }

    /**
     * Attaches to one breakpoint, as choosing its index in the list does, and returns when that
     * session ends: after {@code continue}, {@code detach}, {@code quit}, the end of the input, a
     * step past the end of the task's function, or at once if the task cannot be attached to
     * (which is printed). The task goes on in every case. Returns true if the session ended with
     * {@code quit} or the end of the input.
     */
    public boolean attach(BreakpointInfo b) {
        if (options.jdwpPort() >= 0) {
            return relay(b) == Command.Outcome.QUIT;
        }
        BreakpointInfo next = b;
        while (next != null) {
            following = null;
            if (session(next) == Command.Outcome.QUIT) {
                return true;
            }
            next = following == null ? null : follow(following); // remote, get
        }
        return false;
    }

    /** The context of a command: at the list ({@code session} null) or attached. */
    private CommandContext context(DebugSession session) {
        return new CommandContext(session, out, sources, table, source, f -> following = f);
    }

    /**
     * After {@code remote} or {@code get}: waits for the stop they lead to and returns it; or
     * another stop of the task that was left, which came first (said, and its pending marks are
     * dropped on attach); or null, said, when the task ended without the stop, on Ctrl-C, or
     * when nothing stopped within {@link #FOLLOW_PATIENCE}.
     */
    private BreakpointInfo follow(Follow f) {
        out.println(f.waiting() + "... (Ctrl-C stops waiting)");
        out.flush();
        try (WaitInterrupt interrupt = WaitInterrupt.onSigint(Thread.currentThread())) {
            long deadline = System.nanoTime() + FOLLOW_PATIENCE.toNanos();
            // the submit of a child and the end of its parent reach the node on two connections:
            // the end must hold for a moment before it counts, so that a child on its way is seen
            long endedSince = 0;
            while (System.nanoTime() < deadline) {
                try {
                    List<BreakpointInfo> all = source.list();
                    Optional<BreakpointInfo> hit = all.stream().filter(f.match()).findFirst();
                    if (hit.isPresent()) {
                        return hit.get();
                    }
                    Optional<BreakpointInfo> again = all.stream().filter(f::isStopAgain).findFirst();
                    if (again.isPresent()) {
                        BreakpointInfo b = again.get();
                        out.println("Task " + b.getTaskName() + " stopped at " + b.getFile()
                                + (b.getLine() > 0 ? ":" + b.getLine() : "") + " " + f.before() + "; attaching to it.");
                        stoppedAgain = b;
                        return b;
                    }
                    if (f.ended() != null && source.taskEnded(f.left().getTaskId())) {
                        if (endedSince == 0) {
                            endedSince = System.nanoTime();
                        } else if (System.nanoTime() - endedSince >= ENDED_GRACE.toNanos()) {
                            out.println(f.ended());
                            return null;
                        }
                    } else {
                        endedSince = 0;
                    }
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    if (interrupt.fired()) {
                        out.println("Stopped waiting; back to the list.");
                    } else {
                        Thread.currentThread().interrupt();
                    }
                    return null;
                } catch (RuntimeException e) {
                    out.println("Cannot read the breakpoint list: " + e.getMessage());
                    return null;
                }
            }
        }
        out.println("Nothing stopped within " + FOLLOW_PATIENCE.toSeconds() + " s; back to the list.");
        return null;
    }

    /** The table of {@code sonde debug}: index, time, task, file:line, node, pid. */
    public static void printBreakpoints(List<BreakpointInfo> list, PrintWriter out) {
        if (list.isEmpty()) {
            out.println("No active breakpoints: a task appears here while it waits in Sonde.breakpoint().");
            out.flush();
            return;
        }
        // A seventh column says why a task stopped, when some stopped otherwise than at Sonde.breakpoint().
        boolean why = list.stream().anyMatch(b -> b.getReason() != io.sonde.debugger.proto.StopReason.BREAKPOINT);
        List<String[]> rows = new ArrayList<>();
        rows.add(why ? new String[] {"index", "time", "task", "file:line", "node", "pid", "stopped by"}
                : new String[] {"index", "time", "task", "file:line", "node", "pid"});
        for (BreakpointInfo b : list) {
            String[] row = {Integer.toString(b.getIndex()), TIME.format(Instant.ofEpochMilli(b.getTimeMs())),
                    b.getTaskName(), b.getFile() + (b.getLine() > 0 ? ":" + b.getLine() : ""), b.getNodeIp(),
                    Long.toString(b.getPid())};
            if (why) {
                row = java.util.Arrays.copyOf(row, 7);
                row[6] = reason(b);
            }
            rows.add(row);
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        out.println("Active breakpoints:");
        for (String[] r : rows) {
            StringBuilder b = new StringBuilder("  ");
            for (int i = 0; i < r.length; i++) {
                b.append(r[i]);
                if (i < r.length - 1) {
                    b.append(" ".repeat(widths[i] - r[i].length() + 2));
                }
            }
            out.println(b);
        }
        out.flush();
    }

    private Command.Outcome session(BreakpointInfo b) {
        out.println("Attaching to " + (b.getDriver() ? "the driver" : "task " + b.getTaskName()) + " (pid " + b.getPid()
                + ", node " + b.getNodeIp() + ")...");
        out.flush();
        DebugSession s;
        try {
            s = DebugSession.attach(source, b, options.attachTimeout());
        } catch (DebugException e) {
            out.println(e.getMessage());
            return Command.Outcome.LIST;
        }
        try {
            importLineBreakpoints(s);
            if (b == stoppedAgain) {
                stoppedAgain = null;
                dropPendingMarks(s);
            }
            s.importsFrom(sources::imports);
            DebugSession.Frame f = s.frame();
            out.println(stopLine(b, sources.describe(f)));
            out.print(sources.context(f));
            s.displays().forEach(out::println);
            String last = null;
            while (true) {
                String line = read(PROMPT);
                if (line == null) {
                    s.resume();
                    return Command.Outcome.QUIT;
                }
                line = line.trim();
                if (line.isEmpty()) {
                    if (last == null) {
                        continue;
                    }
                    line = last;
                }
                int space = line.startsWith("!") ? 1 : line.indexOf(' ');
                String word = space < 0 ? line : line.substring(0, space);
                String args = space < 0 ? "" : line.substring(space).trim();
                Optional<Command> command = table.find(word);
                if (command.isEmpty()) {
                    out.println("Unknown command `" + word + "`; type help for the list.");
                    continue;
                }
                Command c = command.get();
                last = c.repeatable() ? line : null;
                if (c.needs() != Command.Needs.NOTHING && !s.isAttached()) {
                    out.println("`" + c.name() + "` needs an attached task; the session has ended.");
                    return Command.Outcome.LIST;
                }
                try {
                    Command.Outcome o = c.run(context(s), args);
                    if (o == Command.Outcome.LIST) {
                        awaitGone(b);
                    }
                    if (o != Command.Outcome.STAY) {
                        return o;
                    }
                } catch (DebugException e) {
                    out.println(e.getMessage());
                } catch (VMDisconnectedException e) {
                    out.println("The " + (b.getDriver() ? "driver" : "worker") + " (pid " + b.getPid() + ") went away; the session has ended.");
                    return Command.Outcome.LIST;
                } catch (InvalidStackFrameException | ObjectCollectedException e) {
                    out.println("The task's state changed under the command (" + e.getClass().getSimpleName() + "); try again.");
                }
                out.flush();
            }
        } catch (VMDisconnectedException e) {
            out.println("The " + (b.getDriver() ? "driver" : "worker") + " (pid " + b.getPid() + ") went away; the session has ended.");
            return Command.Outcome.LIST;
        } finally {
            try {
                s.close();
            } catch (RuntimeException ignored) {
                // the worker is gone: nothing to let go
            }
            out.flush();
        }
    }

    /**
     * {@code --jdwp-port}: instead of the console, a loopback listener for one debugger of the
     * user's (an IDE's "attach to remote JVM"), relayed to the stop's worker through the node. The
     * task stays in its park, where an IDE cannot let it go, until Enter here does; the listener
     * closes when that debugger detaches, and {@code detach} closes it from here.
     */
    private Command.Outcome relay(BreakpointInfo b) {
        String worker = b.getDriver() ? "the driver (pid " + b.getPid() + ")"
                : "the worker of task " + b.getTaskName() + " (pid " + b.getPid() + ")";
        JdwpRelay relay;
        try {
            relay = JdwpRelay.listen(options.jdwpPort(), () -> source.jdwp(b), worker, (sentence, ended) -> {
                out.println();
                out.println(sentence + (ended ? " Press Enter for the list." : ""));
                out.flush();
            });
        } catch (java.io.IOException e) {
            out.println("Cannot listen on 127.0.0.1:" + options.jdwpPort() + ": " + e.getMessage()
                    + ". Choose a free port with --jdwp-port, or 0 for any free one.");
            return Command.Outcome.LIST;
        }
        try (relay) {
            out.println("Listening on 127.0.0.1:" + relay.port() + " for one JDWP debugger to " + worker
                    + ": attach your IDE's remote JVM debugger to localhost:" + relay.port()
                    + " (docs/debugging.md shows how). Connections of other users are refused.");
            out.println("The task waits at " + b.getFile() + (b.getLine() > 0 ? ":" + b.getLine() : "")
                    + ". Once the debugger is attached, set its breakpoints, then press Enter here to let the task go on;"
                    + " detach closes the connection, quit leaves.");
            while (true) {
                String line = read(RELAY_PROMPT);
                if (line == null || line.trim().equals("quit")) {
                    return Command.Outcome.QUIT;
                }
                String word = line.trim();
                if (word.equals("detach")) {
                    relay.close();
                    out.println("Closed the JDWP connection and its listener.");
                    return Command.Outcome.LIST;
                }
                if (!word.isEmpty()) {
                    out.println("Press Enter to let the task go on, or type detach or quit.");
                    continue;
                }
                switch (relay.state()) {
                    case LISTENING -> out.println("No debugger has connected yet; attach it to localhost:" + relay.port() + ".");
                    case ENDED -> {
                        return Command.Outcome.LIST;
                    }
                    case CONNECTED -> release(b);
                }
            }
        }
    }

    /** Lets the relayed task go on from its park, if it is (still or again) parked. */
    private void release(BreakpointInfo b) {
        Optional<BreakpointInfo> now;
        try {
            now = source.list().stream().filter(x -> sameStop(x, b)).findFirst();
        } catch (RuntimeException e) {
            out.println("Cannot read the breakpoint list: " + e.getMessage());
            return;
        }
        if (now.isEmpty()) {
            out.println(who(b) + " is not waiting at a stop now; it stays connected to the debugger.");
            return;
        }
        try {
            DebugSession.attach(source, now.get(), options.attachTimeout()).resume();
            out.println(who(b) + " goes on; press Enter again if it stops at another Sonde.breakpoint().");
        } catch (DebugException e) {
            out.println(e.getMessage());
        }
    }

    /**
     * The line breakpoints set in the cluster also stop the attached task on {@code continue}:
     * the worker's own agent cannot stop a task a second time (see {@link WorkerAgent}).
     */
    private void importLineBreakpoints(DebugSession s) {
        java.util.List<io.sonde.debugger.proto.LineBreakpoint> lines;
        try {
            lines = source.compiledHooks().getLinesList();
        } catch (RuntimeException unsupported) {
            return;
        }
        for (io.sonde.debugger.proto.LineBreakpoint l : lines) {
            if (l.hasScope() && !l.getScope().getAllJobs() && !l.getScope().getJobIdsList().contains(s.breakpoint().getJobId())) {
                continue; // set for other jobs
            }
            try {
                s.addBreakpoint(l.getFile() + ":" + l.getLine(), l.getCondition().isEmpty() ? null : l.getCondition());
            } catch (DebugException notLoaded) {
                // no class of that file is loaded in this worker yet
            }
        }
    }

    /**
     * The task stopped again before the {@code remote} or {@code get} it was left with took
     * effect: drop that mark, so that a later submit or return does not stop unexpectedly.
     */
    private void dropPendingMarks(DebugSession s) {
        try {
            List<String> dropped = s.dropPendingMarks();
            if (!dropped.isEmpty()) {
                out.println("The pending " + String.join(" and ", dropped) + " of this task is cancelled: its next "
                        + (dropped.contains("remote") ? "submit" : "result") + " does not stop; type "
                        + String.join(" or ", dropped) + " again to follow it.");
            }
        } catch (DebugException e) {
            out.println("The pending remote or get of this task may still stop it later: " + e.getMessage());
        }
    }

    /** The list's "stopped by" column. */
    private static String reason(BreakpointInfo b) {
        return switch (b.getReason()) {
            case POST_MORTEM -> "post-mortem: " + b.getException();
            case EXCEPTION -> "catch: " + b.getException();
            case LINE -> "break";
            case GET -> "get";
            case REMOTE -> "remote";
            default -> "breakpoint()";
        };
    }

    /** What the console says on attach: where the task stopped, and why if not at Sonde.breakpoint(). */
    static String stopLine(BreakpointInfo b, String frame) {
        String at = "Stopped at " + frame;
        return switch (b.getReason()) {
            case POST_MORTEM -> at + ", where it threw " + b.getException() + " and did not catch it (post-mortem)."
                    + " continue lets the failure reach its caller.";
            case EXCEPTION -> at + ", where it threw " + b.getException() + " (catch). continue lets it go on.";
            case LINE -> at + " at a line breakpoint. Type help for the commands, continue to let the task go on.";
            case REMOTE -> at + ", the first line of task " + b.getTaskName() + " (remote).";
            case GET -> at + ", right after the get of task " + b.getAwaitedTaskId() + " returned (get).";
            default -> at + ". Type help for the commands, continue to let the " + (b.getDriver() ? "driver" : "task")
                    + " go on.";
        };
    }

    /** {@code Task square}, or {@code The driver} for a driver's own stop. */
    private static String who(BreakpointInfo b) {
        return b.getDriver() ? "The driver" : "Task " + b.getTaskName();
    }

    /** Whether two listed stops are the same task's (or the same driver thread's: a driver's stop has no task id). */
    private static boolean sameStop(BreakpointInfo x, BreakpointInfo b) {
        return x.getDriver() == b.getDriver() && x.getTaskId().equals(b.getTaskId())
                && (!b.getDriver() || (x.getPid() == b.getPid() && x.getThreadName().equals(b.getThreadName())));
    }

    /** After continue: wait briefly until the node no longer lists this stop, so the list shown is current. */
    private void awaitGone(BreakpointInfo b) {
        long deadline = System.currentTimeMillis() + 3000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (source.list().stream().noneMatch(x -> sameStop(x, b) && x.getTimeMs() == b.getTimeMs())) {
                    return;
                }
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                return; // the list will say what is wrong
            }
        }
    }

    private String read(String prompt) {
        if (lineInput != null) {
            out.flush();
            return lineInput.readLine(prompt);
        }
        out.print(prompt);
        out.flush();
        String line;
        try {
            line = in.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (line == null) {
            out.println();
        } else if (options.echoInput()) {
            out.println(line);
        }
        out.flush();
        return line;
    }
}
