package io.sonde.shell.repl;

import org.jline.reader.Highlighter;
import org.jline.reader.LineReader;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

import java.util.Set;

/**
 * Colours the line being typed: Java keywords, string and character literals (text blocks
 * too), numbers, comments, and the name of a slash command. A small scanner rather than the
 * compiler, so it is fast enough to run on every keystroke and never fails on half-typed code.
 * With colour off (dumb terminal, {@code NO_COLOR}) the text is returned as typed.
 */
final class JavaHighlighter implements Highlighter {
    static final Set<String> KEYWORDS = Set.of(
            "abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const", "continue",
            "default", "do", "double", "else", "enum", "extends", "final", "finally", "float", "for", "goto", "if",
            "implements", "import", "instanceof", "int", "interface", "long", "native", "new", "package", "private",
            "protected", "public", "return", "short", "static", "strictfp", "super", "switch", "synchronized", "this",
            "throw", "throws", "transient", "try", "void", "volatile", "while", "var", "record", "yield", "sealed",
            "permits", "non-sealed", "true", "false", "null");

    private static final AttributedStyle KEYWORD = AttributedStyle.BOLD.foreground(AttributedStyle.BLUE);
    private static final AttributedStyle STRING = AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN);
    private static final AttributedStyle NUMBER = AttributedStyle.DEFAULT.foreground(AttributedStyle.CYAN);
    private static final AttributedStyle COMMENT = AttributedStyle.DEFAULT.foreground(AttributedStyle.BRIGHT | AttributedStyle.BLACK);
    private static final AttributedStyle COMMAND = AttributedStyle.BOLD.foreground(AttributedStyle.MAGENTA);

    private final boolean colour;

    JavaHighlighter(boolean colour) {
        this.colour = colour;
    }

    @Override
    public AttributedString highlight(LineReader reader, String buffer) {
        return highlight(buffer);
    }

    AttributedString highlight(String buffer) {
        if (!colour) {
            return new AttributedString(buffer);
        }
        AttributedStringBuilder b = new AttributedStringBuilder(buffer.length() + 16);
        if (ReplParser.isCommand(buffer)) {
            int lead = buffer.length() - buffer.stripLeading().length();
            int end = lead;
            while (end < buffer.length() && !Character.isWhitespace(buffer.charAt(end))) {
                end++;
            }
            b.append(buffer.substring(0, lead));
            b.styled(COMMAND, buffer.substring(lead, end));
            b.append(buffer.substring(end));
            return b.toAttributedString();
        }
        int i = 0;
        int n = buffer.length();
        while (i < n) {
            char c = buffer.charAt(i);
            int start = i;
            if (c == '/' && i + 1 < n && buffer.charAt(i + 1) == '/') {
                i = lineEnd(buffer, i);
                b.styled(COMMENT, buffer.substring(start, i));
            } else if (c == '/' && i + 1 < n && buffer.charAt(i + 1) == '*') {
                int close = buffer.indexOf("*/", i + 2);
                i = close < 0 ? n : close + 2;
                b.styled(COMMENT, buffer.substring(start, i));
            } else if (buffer.startsWith("\"\"\"", i)) {
                int close = buffer.indexOf("\"\"\"", i + 3);
                i = close < 0 ? n : close + 3;
                b.styled(STRING, buffer.substring(start, i));
            } else if (c == '"' || c == '\'') {
                i = quoteEnd(buffer, i, c);
                b.styled(STRING, buffer.substring(start, i));
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(buffer.charAt(i + 1))
                    && (i == 0 || !Character.isJavaIdentifierPart(buffer.charAt(i - 1))))) {
                i++;
                while (i < n && (Character.isLetterOrDigit(buffer.charAt(i)) || buffer.charAt(i) == '_'
                        || buffer.charAt(i) == '.')) {
                    i++;
                }
                b.styled(NUMBER, buffer.substring(start, i));
            } else if (Character.isJavaIdentifierStart(c)) {
                while (i < n && Character.isJavaIdentifierPart(buffer.charAt(i))) {
                    i++;
                }
                String word = buffer.substring(start, i);
                boolean member = start > 0 && buffer.charAt(start - 1) == '.';
                if (!member && KEYWORDS.contains(word)) {
                    b.styled(KEYWORD, word);
                } else {
                    b.append(word);
                }
            } else {
                b.append(c);
                i++;
            }
        }
        return b.toAttributedString();
    }

    private static int lineEnd(String s, int from) {
        int nl = s.indexOf('\n', from);
        return nl < 0 ? s.length() : nl;
    }

    /** The index after the closing quote, or the end of the line for an unterminated literal. */
    private static int quoteEnd(String s, int from, char quote) {
        int i = from + 1;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (c == quote) {
                return i + 1;
            }
            if (c == '\n') {
                return i;
            }
            i++;
        }
        return s.length();
    }
}
