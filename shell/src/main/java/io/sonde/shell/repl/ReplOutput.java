package io.sonde.shell.repl;

import org.jline.reader.LineReader;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.Status;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Everything the shell prints goes through here, from any thread: feedback, command output,
 * what snippets print, worker output relayed by the cluster, the status line. While the user
 * types, lines are printed above the prompt ({@link LineReader#printAbove}) so the line being
 * edited is redrawn below them intact; while a snippet runs they are printed as they come.
 *
 * <p>Snippet output is cut into lines: a line a snippet's background thread prints while the
 * user types goes above the prompt too; a partial line ({@code System.out.print("x")}) shows as
 * soon as it is flushed while the snippet runs, and the next feedback starts on a new line.
 */
public final class ReplOutput {
    private final Terminal terminal;
    private final Object lock = new Object();
    private volatile LineReader reader;
    private volatile Status status;
    /** Whether the last character shown was a newline (or nothing was shown yet). */
    private boolean atLineStart = true;

    public ReplOutput(Terminal terminal) {
        this.terminal = terminal;
    }

    /** From now on, lines go above this reader's prompt while it reads. */
    void attach(LineReader reader) {
        this.reader = reader;
    }

    /** The status line to redraw; null for none. */
    void status(Status status) {
        this.status = status;
    }

    public Terminal terminal() {
        return terminal;
    }

    /** Prints one line (or several, separated by newlines); a trailing newline is optional. */
    public void println(String text) {
        String t = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        synchronized (lock) {
            LineReader r = reader;
            if (r != null) {
                if (!atLineStart && !r.isReading()) {
                    terminal.writer().println();
                }
                r.printAbove(t); // prints normally when the reader is not reading
            } else {
                if (!atLineStart) {
                    terminal.writer().println();
                }
                terminal.writer().println(t);
                terminal.flush();
            }
            atLineStart = true;
        }
    }

    /** Text as it comes, no newline added: a partial line of a running snippet. */
    void printRaw(String text) {
        if (text.isEmpty()) {
            return;
        }
        synchronized (lock) {
            LineReader r = reader;
            if (r != null && r.isReading()) {
                r.printAbove(text);
                atLineStart = true;
                return;
            }
            terminal.writer().print(text);
            terminal.flush();
            atLineStart = text.endsWith("\n");
        }
    }

    /** Ends a partial line a snippet left, so that what follows starts at column 0. */
    void freshLine() {
        synchronized (lock) {
            if (!atLineStart) {
                terminal.writer().println();
                terminal.flush();
                atLineStart = true;
            }
        }
    }

    /** A writer for multi-line output (tables, help): each line is printed as by {@link #println}. */
    public PrintWriter writer() {
        return new PrintWriter(new Writer() {
            private final StringBuilder pending = new StringBuilder();

            @Override
            public void write(char[] cbuf, int off, int len) {
                synchronized (pending) {
                    pending.append(cbuf, off, len);
                    int nl;
                    while ((nl = pending.indexOf("\n")) >= 0) {
                        println(pending.substring(0, nl));
                        pending.delete(0, nl + 1);
                    }
                }
            }

            @Override
            public void flush() {
                synchronized (pending) {
                    if (pending.length() > 0) {
                        println(pending.toString());
                        pending.setLength(0);
                    }
                }
            }

            @Override
            public void close() {
                flush();
            }
        }, true);
    }

    /** Where snippets' System.out / System.err go. */
    public PrintStream snippetStream() {
        return new PrintStream(snippetBytes(), true, StandardCharsets.UTF_8);
    }

    /** Snippet output as UTF-8 bytes (what {@link #snippetStream} writes), shown line by line. */
    OutputStream snippetBytes() {
        return new SnippetStream(StandardCharsets.UTF_8);
    }

    /** Draws the status line; runs under the reader's lock while it reads, so the two never interleave. */
    void updateStatus(List<AttributedString> lines) {
        Status s = status;
        if (s == null) {
            return;
        }
        synchronized (lock) {
            LineReader r = reader;
            if (r != null && r.isReading()) {
                try {
                    r.callWidget(StatusBar.REDRAW_WIDGET);
                    return;
                } catch (IllegalStateException stoppedReading) {
                    // fall through: draw it directly
                }
            }
            s.update(lines);
        }
    }

    /** Lines of snippet output; see the class comment. */
    private final class SnippetStream extends OutputStream {
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private final Charset charset;

        SnippetStream(Charset charset) {
            this.charset = charset;
        }

        @Override
        public synchronized void write(int b) {
            pending.write(b);
            if (b == '\n') {
                emitLines();
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            pending.write(b, off, len);
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    emitLines();
                    return;
                }
            }
        }

        private void emitLines() {
            String text = pending.toString(charset);
            int last = text.lastIndexOf('\n');
            pending.reset();
            String rest = text.substring(last + 1);
            pending.writeBytes(rest.getBytes(charset));
            LineReader r = reader;
            if (r != null && r.isReading()) {
                println(text.substring(0, last));
            } else {
                printRaw(text.substring(0, last + 1));
            }
        }

        @Override
        public synchronized void flush() {
            LineReader r = reader;
            if (pending.size() > 0 && (r == null || !r.isReading())) {
                String text = pending.toString(charset);
                pending.reset();
                printRaw(text);
            }
        }
    }
}
