package io.sonde.shell.repl;

import io.sonde.debugger.LineInput;
import io.sonde.debugger.plugin.DebugClientPlugin;
import io.sonde.debugger.proto.BreakpointInfo;
import io.sonde.shell.repl.SnippetPrinter.Feedback;
import io.sonde.shell.repl.commands.CommandContext;
import io.sonde.shell.repl.commands.CommandException;
import io.sonde.shell.repl.commands.SlashCommands;
import io.sonde.tooling.DriverClient;
import jdk.jshell.SnippetEvent;
import org.jline.keymap.KeyMap;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.Reference;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.reader.impl.LineReaderImpl;
import org.jline.reader.impl.history.DefaultHistory;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.utils.NonBlockingReader;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The read-evaluate-print loop of {@code sonde shell}: reads snippets and slash commands,
 * evaluates snippets in the {@link ShellEngine} and says what they did through
 * {@link SnippetPrinter}.
 *
 * <p>On a terminal it edits lines with JLine: history, Java highlighting, Tab completion,
 * multi-line input decided by JShell's completeness analysis, a status line, worker output
 * printed above the line being typed. Ctrl-C at the prompt clears the line; while a snippet
 * runs it cancels the tasks the snippet started, stops the snippet and drops the snippets typed
 * after it on the same input, and says "stopped" only once the snippet has ended (a snippet can
 * ignore the stop: then the shell says that it still runs). It calls tasks cancelled only once
 * the node says they ended: a task that ignores interrupts is said to still run, and a second
 * Ctrl-C (while the snippet runs, or at the prompt right after) kills its worker. The terminal's own
 * interrupt signal is switched off for the session: workers share the shell's process group, so
 * a SIGINT from the terminal would reach them too; the shell reads Ctrl-C as a key instead.
 *
 * <p>When a task the running snippet submitted stops at {@code Sonde.breakpoint()}, the shell
 * opens the debugger on the terminal at once, attached to that task (see {@link ShellDebugger});
 * after {@code continue}, {@code detach} or {@code quit} the snippet goes on waiting. The
 * debugger reads with a line reader of its own, on the thread that watches for Ctrl-C while
 * the snippet runs, so Ctrl-C at its prompt gives a new prompt and cancels nothing.
 *
 * <p>Without a terminal (piped input, a script file) it reads lines, cuts them into snippets by
 * the same analysis, and prints the same feedback without prompts; a stop at a breakpoint is
 * announced, as in a program, for {@code /debug} or {@code sonde debug} to attach to.
 */
public final class Repl implements CommandContext, AutoCloseable {
    public static final String PROMPT = "sonde> ";
    public static final String CONTINUATION_PROMPT = "   ...> ";
    private static final String INTERRUPT_WIDGET = "sonde-interrupt";
    private static final int CTRL_C = 3;
    /** How long Ctrl-C waits for the snippet to end before saying that it still runs. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(3);
    /** How long Ctrl-C waits for the node to say what the cancel did (it answers within 1 s, 5 s when forced). */
    private static final Duration CANCEL_REPORT_WAIT = Duration.ofSeconds(10);

    /**
     * @param interactive a person types at a terminal: prompts, line editing, status line
     * @param colour      highlight input and worker prefixes
     * @param historyFile where input history persists; null keeps it in memory
     */
    public record Options(boolean interactive, boolean colour, Path historyFile) {
    }

    private final ReplOutput output;
    private final Terminal terminal;
    private final ShellEngine engine;
    private final SlashCommands commands;
    private final ClusterView cluster;
    private final Options options;
    private final SnippetPrinter printer;
    private final PrintWriter out;
    private SondeLineReader reader;
    /** The debugger's line reader on the terminal, made when first needed. */
    private SondeLineReader debugReader;
    /** The lines {@link #lines} reads (a pipe, a script): what the debugger reads without a terminal. */
    private BufferedReader currentLines;
    private final SnippetSources snippetSources;
    /** The driver's debugger whose breakpoint listener the shell replaced, and the listener it passes stops on to. */
    private DebugClientPlugin client;
    private Consumer<BreakpointInfo> passOn;
    /** The watcher of the snippet being evaluated on a terminal, which also opens the debugger; else null. */
    private volatile InterruptWatcher watcher;
    private StatusBar statusBar;
    private Attributes originalAttributes;
    private volatile boolean exit;
    private boolean closed;
    /**
     * The last Ctrl-C left tasks of the last snippet running (they ignore interrupts): the next
     * Ctrl-C, while the snippet runs or at the prompt, kills their workers. Cleared when the next
     * snippet starts.
     */
    private volatile boolean tasksStillRunning;

    /**
     * @param cluster the cluster commands talk to; null when the shell has none (commands that
     *                need one then say so)
     */
    public Repl(ReplOutput output, ShellEngine engine, SlashCommands commands, ClusterView cluster, Options options) {
        this(output, engine, commands, cluster, options, null);
    }

    /**
     * @param prepared a line reader made by {@link #prepareReader} while JShell and the cluster
     *                 were starting; null to make one here
     */
    Repl(ReplOutput output, ShellEngine engine, SlashCommands commands, ClusterView cluster, Options options,
         SondeLineReader prepared) {
        this.output = Objects.requireNonNull(output, "output");
        this.terminal = output.terminal();
        this.engine = Objects.requireNonNull(engine, "engine");
        this.commands = Objects.requireNonNull(commands, "commands");
        this.cluster = cluster;
        this.options = Objects.requireNonNull(options, "options");
        this.printer = SnippetPrinter.of(engine, Feedback.NORMAL);
        this.out = new PrefixedWriter(output.writer(), "|  ");
        this.snippetSources = new SnippetSources(engine.locator());
        if (!options.interactive()) {
            terminal.echo(false); // input from a pipe is not shown again
        } else {
            // Before anything is printed: drawing the status line the first time may scroll the screen.
            reader = prepared != null ? prepared : prepareReader(terminal, options, output);
            reader.setParser(new ReplParser(engine.analysis()));
            reader.setCompleter(new ReplCompleter(engine.analysis(), commands, this));
            output.attach(reader);
            originalAttributes = terminal.getAttributes();
            Attributes noSignals = new Attributes(originalAttributes);
            noSignals.setLocalFlag(Attributes.LocalFlag.ISIG, false);
            terminal.setAttributes(noSignals);
            if (cluster != null) {
                statusBar = StatusBar.open(cluster, output, reader).orElse(null);
                if (statusBar != null) {
                    statusBar.start();
                }
            }
        }
        if (cluster != null && DriverClient.isInitialized()) {
            client = DebugClientPlugin.of(DriverClient.current()).orElse(null);
            if (client != null) {
                passOn = client.breakpointListener();
                client.setBreakpointListener(this::onBreakpoint);
            }
        }
    }

    /**
     * Reads and evaluates until {@code /exit} or the end of input (Ctrl-D at an empty prompt).
     * Does not stop the cluster: the caller owns it.
     */
    public void run() {
        if (exit) {
            return;
        }
        if (options.interactive()) {
            interactive();
        } else {
            lines(new BufferedReader(terminal.reader()), printer);
        }
    }

    /**
     * Evaluates a script's snippets and commands ({@code sonde shell FILE.jsh}): with
     * {@link Feedback#QUIET}, only errors and exceptions are shown, as a script runs.
     */
    public void runScript(Path file, Feedback feedback) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            lines(in, SnippetPrinter.of(engine, feedback));
        } catch (IOException e) {
            out.println("Cannot read " + file.toAbsolutePath() + ": " + e.getMessage());
            out.flush();
        }
    }

    /** Whether {@code /exit} was given (by a person or a script). */
    public boolean exitRequested() {
        return exit;
    }

    /** The status line, once {@link #run} drew one; empty on terminals that cannot show it. */
    public Optional<StatusBar> statusBar() {
        return Optional.ofNullable(statusBar);
    }

    // ------------------------------------------------------------------ interactive

    private void interactive() {
        while (!exit) {
            output.freshLine();
            String input;
            try {
                input = reader.readLine(PROMPT);
            } catch (UserInterruptException e) {
                // Ctrl-C at the prompt: the line is dropped, as in jshell; right after a Ctrl-C that
                // left tasks running because they ignore interrupts, it also kills their workers.
                if (tasksStillRunning) {
                    reportCancel(engine.cancelStarted(true)).forEach(l -> output.println("|  " + l));
                }
                continue;
            } catch (EndOfFileException e) {
                break;
            }
            handle(input, printer);
        }
    }

    /** Removes the status line, saves the history and gives the terminal back as it was. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (client != null) {
            client.setBreakpointListener(passOn);
        }
        if (!options.interactive()) {
            return;
        }
        if (statusBar != null) {
            statusBar.close();
        }
        try {
            reader.getHistory().save();
        } catch (IOException | RuntimeException e) {
            output.println("|  Could not save the history to " + options.historyFile() + ": " + e.getMessage());
        }
        output.attach(null);
        terminal.setAttributes(originalAttributes);
    }

    /**
     * The line reader, without what needs JShell (parser, completer): creating it loads much of
     * JLine, so a shell does it while JShell and the cluster start.
     */
    static SondeLineReader prepareReader(Terminal terminal, Options options, ReplOutput output) {
        SondeLineReader r = new SondeLineReader(terminal);
        r.setHighlighter(new JavaHighlighter(options.colour()));
        r.setVariable(LineReader.SECONDARY_PROMPT_PATTERN, CONTINUATION_PROMPT);
        r.setVariable(LineReader.HISTORY_SIZE, 5_000);
        r.setVariable(LineReader.HISTORY_FILE_SIZE, 10_000);
        if (options.historyFile() != null) {
            try {
                Files.createDirectories(options.historyFile().toAbsolutePath().getParent());
                r.setVariable(LineReader.HISTORY_FILE, options.historyFile());
            } catch (IOException e) {
                output.println("|  History is not kept: cannot create " + options.historyFile().getParent()
                        + " (" + e.getMessage() + ").");
            }
        }
        r.setHistory(new DefaultHistory());
        r.option(LineReader.Option.DISABLE_EVENT_EXPANSION, true); // `!` is Java's not, not a history event
        r.option(LineReader.Option.HISTORY_TIMESTAMPED, false);
        r.option(LineReader.Option.INSERT_TAB, false);
        r.option(LineReader.Option.AUTO_FRESH_LINE, true);
        r.getWidgets().put(INTERRUPT_WIDGET, r::interrupt);
        for (String map : List.of(LineReader.EMACS, LineReader.VIINS, LineReader.VICMD, LineReader.DUMB)) {
            r.getKeyMaps().get(map).bind(new Reference(INTERRUPT_WIDGET), KeyMap.ctrl('C'));
        }
        return r;
    }

    /**
     * The debugger's line reader: its own history, no Java parsing (a line is a command, whatever
     * its quotes or brackets), Ctrl-C ends reading as at the shell's prompt; the status line is
     * redrawn as while the shell's reader reads.
     */
    private SondeLineReader debugReader() {
        if (debugReader == null) {
            SondeLineReader r = new SondeLineReader(terminal);
            DefaultParser plain = new DefaultParser();
            plain.setEofOnUnclosedQuote(false);
            plain.setEofOnEscapedNewLine(false);
            plain.setEofOnUnclosedBracket();
            r.setParser(plain);
            r.setHistory(new DefaultHistory());
            r.option(LineReader.Option.DISABLE_EVENT_EXPANSION, true);
            r.option(LineReader.Option.AUTO_FRESH_LINE, true);
            r.getWidgets().put(INTERRUPT_WIDGET, r::interrupt);
            for (String map : List.of(LineReader.EMACS, LineReader.VIINS, LineReader.VICMD, LineReader.DUMB)) {
                r.getKeyMaps().get(map).bind(new Reference(INTERRUPT_WIDGET), KeyMap.ctrl('C'));
            }
            if (reader.getWidgets().containsKey(StatusBar.REDRAW_WIDGET)) {
                r.getWidgets().put(StatusBar.REDRAW_WIDGET, reader.getWidgets().get(StatusBar.REDRAW_WIDGET));
            }
            debugReader = r;
        }
        return debugReader;
    }

    /**
     * A line for the debugger from the terminal. Worker output meanwhile goes above its prompt;
     * Ctrl-C gives a new prompt, as in jdb; Ctrl-D (at an empty line) is the end of the input.
     */
    private String readDebuggerLine(String prompt) {
        SondeLineReader r = debugReader();
        output.attach(r);
        try {
            while (true) {
                try {
                    return r.readLine(prompt);
                } catch (UserInterruptException e) {
                    // Ctrl-C: the line is dropped, a new prompt follows
                } catch (EndOfFileException e) {
                    return null;
                }
            }
        } finally {
            output.attach(reader);
        }
    }

    /** A line for the debugger from the lines being read (a pipe, a script), shown after its prompt. */
    private String readPipedLine(BufferedReader in, String prompt) {
        output.printRaw(prompt);
        String line;
        try {
            line = in.readLine();
        } catch (org.jline.utils.ClosedException endOfInput) {
            line = null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        output.printRaw((line == null ? "" : line) + "\n");
        return line;
    }

    /** A line reader whose Ctrl-C key ends reading the way the interrupt signal would. */
    static final class SondeLineReader extends LineReaderImpl {
        SondeLineReader(Terminal terminal) {
            super(terminal, "sonde", new java.util.HashMap<>());
        }

        boolean interrupt() {
            state = State.INTERRUPT;
            return true;
        }
    }

    // ------------------------------------------------------------------ reading without a terminal

    /** Reads lines, running commands and evaluating snippets as soon as they are complete. */
    private void lines(BufferedReader in, SnippetPrinter feedback) {
        BufferedReader outer = currentLines;
        currentLines = in; // what /debug reads without a terminal
        try {
            readLines(in, feedback);
        } finally {
            currentLines = outer;
        }
    }

    private void readLines(BufferedReader in, SnippetPrinter feedback) {
        StringBuilder pending = new StringBuilder();
        try {
            String line;
            while (!exit && (line = in.readLine()) != null) {
                if (pending.length() == 0 && ReplParser.isCommand(line)) {
                    handle(line, feedback);
                    continue;
                }
                pending.append(line).append('\n');
                if (!ReplParser.incomplete(engine.analysis(), pending.toString())) {
                    String src = pending.toString();
                    pending.setLength(0);
                    handle(src, feedback);
                }
            }
        } catch (org.jline.utils.ClosedException endOfInput) {
            // a terminal on streams closes its reader when the input ends: that is the end of input
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!exit && !pending.toString().isBlank()) {
            handle(pending.toString(), feedback); // incomplete at the end: evaluating shows the error
        }
    }

    // ------------------------------------------------------------------ evaluation

    private void handle(String input, SnippetPrinter feedback) {
        try {
            handleOrThrow(input, feedback);
        } catch (RuntimeException | StackOverflowError e) {
            output.freshLine();
            output.println("|  The shell failed on this input; this is a bug in Sonde. Please report it with the trace below."
                    + " The shell goes on.\n" + stackTrace(e));
        }
    }

    private static String stackTrace(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    private void handleOrThrow(String input, SnippetPrinter feedback) {
        if (input.isBlank()) {
            return;
        }
        if (ReplParser.isCommand(input)) {
            commands.run(input, this);
            out.flush();
            return;
        }
        for (String snippet : ReplParser.snippets(engine.analysis(), input)) {
            if (exit || !evaluate(snippet, feedback)) {
                return; // after Ctrl-C, the rest of what was typed with the snippet is dropped, as at the prompt
            }
        }
    }

    /**
     * Waits for what the node says a cancel from Ctrl-C did, and remembers whether tasks still
     * run (the next Ctrl-C then forces). Returns the lines to print.
     */
    private List<String> reportCancel(List<java.util.concurrent.CompletableFuture<io.sonde.proto.CancelOutcome>> outcomes) {
        CancelReport report = CancelReport.await(outcomes, CANCEL_REPORT_WAIT);
        tasksStillRunning = !report.stillRunning().isEmpty();
        return report.lines("Ctrl-C again");
    }

    /** Evaluates one snippet and says what it did; false when Ctrl-C interrupted it. */
    private boolean evaluate(String snippet, SnippetPrinter feedback) {
        tasksStillRunning = false; // a Ctrl-C from now on is about this snippet's tasks
        InterruptWatcher w = options.interactive() && reader != null ? new InterruptWatcher() : null;
        List<SnippetEvent> events;
        if (w != null) {
            w.start();
            watcher = w;
        }
        try {
            events = engine.eval(snippet);
        } finally {
            if (w != null) {
                watcher = null;
                w.stop();
            }
            System.out.flush(); // the snippet's: a partial line it printed shows before the feedback
            System.err.flush();
        }
        output.freshLine();
        if (w != null && w.cancelled >= 0) {
            return false; // Ctrl-C: the watcher said what it cancelled; what the stopped snippet left is not a result
        }
        String text = feedback.describe(events);
        if (!text.isEmpty()) {
            output.println(text);
        }
        return true;
    }

    /**
     * A task of this driver stopped at {@code Sonde.breakpoint()} (called on a transport thread):
     * if the snippet running on the terminal submitted it, the snippet's watcher opens the
     * debugger on it; otherwise the stop is announced, with its place in snippet code given as
     * the snippet and its line.
     */
    private void onBreakpoint(BreakpointInfo b) {
        InterruptWatcher w = watcher;
        // the snippet's own tasks, and the tasks they submit, at any depth
        boolean mine = engine.started(b.getTaskId()) || !b.getRootTaskId().isEmpty() && engine.started(b.getRootTaskId());
        if (w != null && mine && w.offer(b)) {
            return;
        }
        announce(b);
    }

    private void announce(BreakpointInfo b) {
        Consumer<BreakpointInfo> next = passOn;
        if (next != null) {
            next.accept(snippetSources.relabel(b));
        }
    }

    /**
     * The debugger on one stop of the running snippet's task, on the terminal, until the session
     * ends. A stop that is no longer listed (another debugger let the task go, or it was
     * cancelled) is skipped.
     */
    private void debugStop(BreakpointInfo b) {
        try {
            io.sonde.debugger.DebugConsole console = ShellDebugger.console(engine, cluster(), this::readDebuggerLine,
                    output.writer());
            Optional<BreakpointInfo> listed = cluster().breakpoints().list().stream()
                    .filter(x -> x.getTaskId().equals(b.getTaskId()) && x.getTimeMs() == b.getTimeMs())
                    .findFirst();
            if (listed.isPresent()) {
                console.attach(snippetSources.relabel(listed.get()));
            }
        } catch (RuntimeException e) {
            output.println("|  Could not open the debugger on task " + b.getTaskName() + " (pid " + b.getPid() + "): "
                    + e + ". The task waits at its breakpoint: attach with `sonde debug` from another terminal, or"
                    + " press Ctrl-C to cancel the snippet's tasks.");
        }
    }

    /**
     * While a snippet runs on a terminal: reads keys without echo, so Ctrl-C (byte 3, the
     * terminal's signal being off) cancels the snippet's tasks and stops it; other keys typed
     * ahead are handed to the line reader afterwards, so nothing typed is lost. When a task the
     * snippet submitted stops at a breakpoint, it stops reading keys and runs the debugger on
     * that stop, then on the next one the snippet's tasks reached, then watches again.
     */
    private final class InterruptWatcher {
        private final StringBuilder typedAhead = new StringBuilder();
        private final ConcurrentLinkedQueue<BreakpointInfo> stops = new ConcurrentLinkedQueue<>();
        /** Guarded by this: while true, stops are taken (and debugged) on the watcher's thread. */
        private boolean running = true;
        private volatile boolean debugging;
        /** Set while a Ctrl-C is handled: the watcher prints what it did before the prompt returns. */
        private volatile boolean interrupting;
        private volatile int cancelled = -1;
        /** Counted down when the snippet's evaluation has returned: Ctrl-C waits for it. */
        private final CountDownLatch evaluated = new CountDownLatch(1);
        private Thread thread;
        private Attributes before;

        /** A stop of one of the snippet's tasks, to debug; false once the watcher has ended. */
        synchronized boolean offer(BreakpointInfo b) {
            if (!running) {
                return false;
            }
            stops.add(b);
            return true;
        }

        /** The next stop to debug, or null; null and the loop ends once the watcher is stopped. */
        private synchronized BreakpointInfo next() {
            BreakpointInfo b = running ? stops.poll() : null;
            debugging = b != null;
            return b;
        }

        private synchronized boolean running() {
            return running;
        }

        private synchronized void end() {
            running = false;
        }

        void start() {
            before = terminal.enterRawMode();
            Attributes raw = terminal.getAttributes();
            raw.setLocalFlag(Attributes.LocalFlag.ISIG, false);
            terminal.setAttributes(raw);
            NonBlockingReader keys = terminal.reader();
            thread = new Thread(() -> {
                while (running()) {
                    BreakpointInfo stop = next();
                    if (stop != null) {
                        try {
                            debugStop(stop);
                        } finally {
                            debugging = false;
                        }
                        continue;
                    }
                    int c;
                    try {
                        c = keys.read(50);
                    } catch (IOException e) {
                        end();
                        return;
                    }
                    if (c == CTRL_C) {
                        interrupt();
                    } else if (c >= 0) {
                        typedAhead.append((char) c);
                    } else if (c == NonBlockingReader.EOF) {
                        end(); // no input left: stops are announced instead of debugged
                        announceWaiting();
                        return;
                    }
                }
            }, "sonde-ctrl-c");
            thread.setDaemon(true);
            thread.start();
        }

        /**
         * Ctrl-C: cancels the snippet's tasks and stops it, then says so once the snippet has
         * really ended. A snippet can ignore the stop (code that catches {@code ThreadDeath}, a
         * long call into the JDK): after {@link #STOP_GRACE} the shell says that it still runs
         * rather than claim it stopped. Tasks are called cancelled only once the node says they
         * ended; a task that ignores interrupts is said to still run, and the next Ctrl-C (here,
         * or at the prompt) kills its worker.
         */
        private void interrupt() {
            interrupting = true;
            try {
                boolean force = tasksStillRunning;
                List<java.util.concurrent.CompletableFuture<io.sonde.proto.CancelOutcome>> outcomes =
                        engine.cancelRunning(force);
                int n = outcomes.size();
                cancelled = Math.max(cancelled, 0) + n;
                boolean ended;
                try {
                    ended = evaluated.await(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    ended = false;
                }
                List<String> tasks = n == 0 ? List.of() : reportCancel(outcomes);
                if (ended) {
                    if (n == 0) {
                        output.println("|  stopped the snippet (it had started no tasks)");
                    } else if (tasks.isEmpty()) {
                        output.println("|  stopped the snippet (its tasks had ended already)");
                    }
                    tasks.forEach(l -> output.println("|  " + l));
                    return;
                }
                tasks.forEach(l -> output.println("|  " + l));
                output.println("|  the snippet did not stop: it still runs " + STOP_GRACE.toSeconds() + " s after Ctrl-C."
                        + " Java stops a thread only where its code lets it: code that catches ThreadDeath (or"
                        + " Throwable), or a long call into the JDK, goes on.\n"
                        + "|  Wait for it to end, press Ctrl-C again to retry, or end the shell with `kill "
                        + ProcessHandle.current().pid() + "` (an embedded cluster's workers end with it).");
            } finally {
                interrupting = false;
            }
        }

        /** Ends watching; a debugger session still open ends first (the person ends it). */
        void stop() {
            end();
            evaluated.countDown();
            try {
                thread.join(1_000);
                while (thread.isAlive() && (debugging || interrupting)) {
                    thread.join(1_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            terminal.setAttributes(before);
            announceWaiting();
            if (typedAhead.length() > 0) {
                reader.runMacro(typedAhead.toString());
            }
        }

        /** Stops that came too late to be debugged here are announced, as without a terminal. */
        private void announceWaiting() {
            for (BreakpointInfo b = stops.poll(); b != null; b = stops.poll()) {
                announce(b);
            }
        }
    }

    // ------------------------------------------------------------------ CommandContext

    @Override
    public ShellEngine engine() {
        return engine;
    }

    @Override
    public PrintWriter out() {
        return out;
    }

    @Override
    public PrintWriter plainOut() {
        return output.writer();
    }

    @Override
    public LineInput lineInput() {
        BufferedReader lines = currentLines;
        if (lines != null) {
            return prompt -> readPipedLine(lines, prompt);
        }
        if (options.interactive()) {
            return this::readDebuggerLine;
        }
        return prompt -> null; // nothing is being read: the end of the input
    }

    @Override
    public ClusterView cluster() {
        if (cluster == null) {
            throw new CommandException("This shell is not connected to a cluster.");
        }
        return cluster;
    }

    @Override
    public SlashCommands commands() {
        return commands;
    }

    @Override
    public void exit() {
        exit = true;
    }

    @Override
    public void open(Path file) {
        runScript(file, Feedback.NORMAL);
    }

    /** Puts the shell's {@code |  } in front of every line a command prints. */
    private static final class PrefixedWriter extends PrintWriter {
        private final String prefix;

        PrefixedWriter(PrintWriter target, String prefix) {
            super(target, true);
            this.prefix = prefix;
        }

        @Override
        public void println(String line) {
            synchronized (lock) {
                for (String l : line.split("\n", -1)) {
                    super.print(prefix + l);
                    super.println(); // PrintWriter's own: ends the line without coming back here
                }
            }
        }

        @Override
        public void println(Object x) {
            println(String.valueOf(x));
        }

        @Override
        public void println() {
            println("");
        }
    }
}
