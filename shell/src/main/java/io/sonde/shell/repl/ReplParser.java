package io.sonde.shell.repl;

import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;
import org.jline.reader.CompletingParsedLine;
import org.jline.reader.EOFError;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides when the input is complete, as the jshell tool does: JShell's own completeness
 * analysis says whether what was typed is a whole snippet (or several) or needs more lines
 * ({@code void f() {} ...}), so Enter either evaluates or opens a continuation line. Slash
 * commands are always one line.
 *
 * <p>For Tab, it names the word under the cursor: the Java identifier being typed, or the
 * command / argument of a slash command.
 */
final class ReplParser implements Parser {
    private final SourceCodeAnalysis analysis;

    ReplParser(SourceCodeAnalysis analysis) {
        this.analysis = analysis;
    }

    /** Input that starts with {@code /} (but not a {@code //} or {@code /*} comment) is a command. */
    static boolean isCommand(String input) {
        String s = input.stripLeading();
        return s.startsWith("/") && !s.startsWith("//") && !s.startsWith("/*");
    }

    @Override
    public ParsedLine parse(String line, int cursor, ParseContext context) {
        if (context == ParseContext.ACCEPT_LINE && !isCommand(line) && incomplete(analysis, line)) {
            throw new EOFError(-1, cursor, "incomplete snippet", "...");
        }
        return isCommand(line) ? commandLine(line, cursor) : javaLine(line, cursor);
    }

    /** Whether more lines are needed before {@code source} can be evaluated. */
    static boolean incomplete(SourceCodeAnalysis analysis, String source) {
        String src = source;
        for (int guard = 0; guard < 10_000; guard++) {
            if (src.isBlank()) {
                return false;
            }
            CompletionInfo ci = analysis.analyzeCompletion(src);
            switch (ci.completeness()) {
                case DEFINITELY_INCOMPLETE, CONSIDERED_INCOMPLETE:
                    return true;
                case COMPLETE, COMPLETE_WITH_SEMI:
                    if (ci.remaining().equals(src)) {
                        return false;
                    }
                    src = ci.remaining();
                    break;
                default: // EMPTY, UNKNOWN: evaluating shows what is wrong
                    return false;
            }
        }
        return false;
    }

    /**
     * The snippets in {@code source}, in order, as JShell's completeness analysis cuts them (one
     * line can hold several: {@code int a = 1; int b = 2;}). A trailing part that is not complete
     * is returned as is, so evaluating it shows the error.
     */
    static List<String> snippets(SourceCodeAnalysis analysis, String source) {
        List<String> out = new ArrayList<>();
        String src = source;
        while (!src.isBlank()) {
            CompletionInfo ci = analysis.analyzeCompletion(src);
            switch (ci.completeness()) {
                case COMPLETE, COMPLETE_WITH_SEMI -> {
                    out.add(ci.source().strip());
                    if (ci.remaining().equals(src)) {
                        return out;
                    }
                    src = ci.remaining();
                }
                case EMPTY -> {
                    return out;
                }
                case UNKNOWN -> {
                    // erroneous: evaluate the part the analysis recognised, else everything
                    out.add((ci.source() == null || ci.source().isBlank() ? src : ci.source()).strip());
                    if (ci.source() == null || ci.source().isBlank() || ci.remaining().equals(src)) {
                        return out;
                    }
                    src = ci.remaining();
                }
                default -> {
                    out.add(src.strip());
                    return out;
                }
            }
        }
        return out;
    }

    /** The Java identifier (or member name after a dot) that ends at the cursor. */
    private static ParsedLine javaLine(String line, int cursor) {
        int start = cursor;
        while (start > 0 && Character.isJavaIdentifierPart(line.charAt(start - 1))) {
            start--;
        }
        return new Line(line, cursor, List.of(line.substring(start, cursor)), 0, cursor - start);
    }

    /** Words split on blanks; the word under the cursor is the one being completed. */
    private static ParsedLine commandLine(String line, int cursor) {
        List<String> words = new ArrayList<>();
        int wordIndex = -1;
        int wordCursor = 0;
        int i = 0;
        while (i <= line.length()) {
            while (i < line.length() && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < line.length() && !Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (start == i && (i >= line.length())) {
                if (wordIndex < 0 && cursor >= start) {
                    words.add("");
                    wordIndex = words.size() - 1;
                    wordCursor = 0;
                }
                break;
            }
            words.add(line.substring(start, i));
            if (wordIndex < 0 && cursor >= start && cursor <= i) {
                wordIndex = words.size() - 1;
                wordCursor = cursor - start;
            }
        }
        if (wordIndex < 0) {
            words.add("");
            wordIndex = words.size() - 1;
            wordCursor = 0;
        }
        return new Line(line, cursor, words, wordIndex, wordCursor);
    }

    /** A parsed line whose words are used as typed: Java needs no shell-style escaping. */
    private record Line(String line, int cursor, List<String> words, int wordIndex, int wordCursor)
            implements CompletingParsedLine {
        @Override
        public String word() {
            return words.get(wordIndex);
        }

        @Override
        public CharSequence escape(CharSequence candidate, boolean complete) {
            return candidate;
        }

        @Override
        public int rawWordCursor() {
            return wordCursor;
        }

        @Override
        public int rawWordLength() {
            return word().length();
        }
    }
}
