package io.sonde.shell.run;

import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a script into the snippets JShell evaluates one at a time, remembering the line each
 * starts on. A line that starts with {@code /} where a snippet could start is a jshell command
 * ({@code /exit 3}), a piece of its own, as in the {@code jshell} tool.
 *
 * <p>Lines are read one by one and a snippet ends at the first line end where
 * {@link SourceCodeAnalysis#analyzeCompletion} finds it complete, as the {@code jshell} tool does
 * with a file, so a statement may omit its final semicolon. One addition: a snippet that looks
 * complete continues when the next non-blank line starts with {@code .}, so a call chain written
 * one call per line stays one snippet:
 * <pre>{@code
 * var r = task(() -> 1)
 *         .name("one")
 *         .remote();
 * }</pre>
 */
final class ScriptSplitter {
    /**
     * One snippet of a script.
     *
     * @param number its position among the script's snippets, from 1; 0 for a command
     * @param line   the line of the script its first character is on, from 1
     * @param source the code, without the blank lines and comments before it; for a command,
     *               the line ({@code /exit 3})
     * @param command whether it is a jshell command ({@code /exit}, {@code /open FILE}, ...), a
     *               line starting with {@code /} where a snippet could start
     */
    record Piece(int number, int line, String source, boolean command) {
        /** A snippet of Java code. */
        Piece(int number, int line, String source) {
            this(number, line, source, false);
        }

        /** The line of the script that line {@code snippetLine} (from 1) of this snippet is. */
        int scriptLine(int snippetLine) {
            return line + Math.max(snippetLine, 1) - 1;
        }

        /** The snippet's first line, shortened for a one-line message. */
        String headline() {
            String first = source.strip();
            int nl = first.indexOf('\n');
            boolean more = nl >= 0;
            if (more) {
                first = first.substring(0, nl).stripTrailing();
            }
            if (first.length() > 100) {
                return first.substring(0, 97) + "...";
            }
            return more ? first + " ..." : first;
        }
    }

    private final SourceCodeAnalysis analysis;
    private final List<Piece> pieces = new ArrayList<>();
    private StringBuilder buffer = new StringBuilder();
    private int bufferLine = 1;
    private int snippets;

    private ScriptSplitter(SourceCodeAnalysis analysis) {
        this.analysis = analysis;
    }

    static List<Piece> split(String text, SourceCodeAnalysis analysis) {
        ScriptSplitter s = new ScriptSplitter(analysis);
        String[] lines = text.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1);
        if (lines.length > 0 && lines[0].startsWith("#!")) {
            lines[0] = "";                        // `#!/usr/bin/env ...` lets a script run as a command
        }
        for (int i = 0; i < lines.length; i++) {
            if (s.buffer.toString().isBlank() && isCommand(lines[i])) {
                s.buffer.setLength(0);
                s.pieces.add(new Piece(0, i + 1, lines[i].strip(), true)); // commands are not numbered snippets
                continue;
            }
            if (s.buffer.isEmpty()) {
                s.bufferLine = i + 1;
            }
            s.buffer.append(lines[i]).append('\n');
            s.drain(continues(lines, i + 1));
        }
        if (!s.buffer.toString().isBlank()) {
            s.emit(s.buffer.toString(), s.bufferLine); // unfinished: JShell's diagnostic says what is missing
        }
        return List.copyOf(s.pieces);
    }

    /** Takes every complete snippet off the front of the buffer. */
    private void drain(boolean nextLineContinues) {
        while (true) {
            String text = buffer.toString();
            if (text.isBlank()) {
                buffer.setLength(0);
                return;
            }
            CompletionInfo info = analysis.analyzeCompletion(text);
            switch (info.completeness()) {
                case EMPTY -> {                      // only comments
                    buffer.setLength(0);
                    return;
                }
                case COMPLETE, COMPLETE_WITH_SEMI, UNKNOWN -> {
                    String remaining = info.remaining();
                    if (remaining.isBlank() && nextLineContinues) {
                        return;
                    }
                    emit(info.source(), bufferLine);
                    String consumed = text.substring(0, text.length() - remaining.length());
                    bufferLine += count(consumed, '\n');
                    buffer = new StringBuilder(remaining);
                    if (remaining.isEmpty()) {
                        return;
                    }
                }
                default -> {
                    return;                          // needs more lines
                }
            }
        }
    }

    private void emit(String source, int line) {
        int start = codeStart(source);
        if (start >= source.length()) {
            return;
        }
        String code = source.substring(start).stripTrailing();
        pieces.add(new Piece(++snippets, line + count(source.substring(0, start), '\n'), code));
    }

    /** A jshell command: {@code /name ...}, not a comment. */
    static boolean isCommand(String line) {
        String s = line.strip();
        return s.startsWith("/") && !s.startsWith("//") && !s.startsWith("/*");
    }

    /** Whether the first non-blank line from {@code from} on continues a call chain. */
    private static boolean continues(String[] lines, int from) {
        for (int i = from; i < lines.length; i++) {
            String s = lines[i].strip();
            if (!s.isEmpty()) {
                return s.startsWith(".") && !s.startsWith("...");
            }
        }
        return false;
    }

    /** Index of the first character that is neither white space nor part of a comment. */
    static int codeStart(String s) {
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (s.startsWith("//", i)) {
                int nl = s.indexOf('\n', i);
                i = nl < 0 ? s.length() : nl + 1;
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                if (end < 0) {
                    return i;                        // unterminated: let JShell report it
                }
                i = end + 2;
            } else {
                return i;
            }
        }
        return i;
    }

    private static int count(String s, char c) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == c) {
                n++;
            }
        }
        return n;
    }
}
