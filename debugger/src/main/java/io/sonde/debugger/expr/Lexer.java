package io.sonde.debugger.expr;

import java.util.ArrayList;
import java.util.List;

/** Splits an expression into tokens: identifiers, literals, operators and punctuation. */
final class Lexer {
    enum Kind { IDENT, INT, LONG, FLOAT, DOUBLE, CHAR, STRING, OP, END }

    record Token(Kind kind, String text, Object value, int pos) {
        boolean is(String op) {
            return kind == Kind.OP && text.equals(op);
        }

        @Override
        public String toString() {
            return kind == Kind.END ? "end of expression" : "'" + text + "'";
        }
    }

    /** Longest first, so that {@code >>>=}-style prefixes do not split. */
    private static final String[] OPS = {
            ">>>", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
            "+", "-", "*", "/", "%", "<", ">", "!", "~", "&", "|", "^", "?", ":", "(", ")", "[", "]", ".", ",", "="};

    private Lexer() {
    }

    static List<Token> tokens(String s) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (Character.isJavaIdentifierStart(c)) {
                int start = i;
                while (i < s.length() && Character.isJavaIdentifierPart(s.charAt(i))) {
                    i++;
                }
                out.add(new Token(Kind.IDENT, s.substring(start, i), null, start));
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1)))) {
                i = number(s, i, out);
            } else if (c == '"') {
                i = string(s, i, out);
            } else if (c == '\'') {
                int start = i;
                StringBuilder b = new StringBuilder();
                i = escaped(s, i + 1, '\'', b);
                if (b.length() != 1) {
                    throw new ParseException("a char literal holds one character", start);
                }
                out.add(new Token(Kind.CHAR, s.substring(start, i), b.charAt(0), start));
            } else {
                String op = null;
                for (String o : OPS) {
                    if (s.startsWith(o, i)) {
                        op = o;
                        break;
                    }
                }
                if (op == null) {
                    throw new ParseException("unexpected character '" + c + "'", i);
                }
                out.add(new Token(Kind.OP, op, null, i));
                i += op.length();
            }
        }
        out.add(new Token(Kind.END, "", null, s.length()));
        return out;
    }

    private static int number(String s, int start, List<Token> out) {
        int i = start;
        boolean hex = s.startsWith("0x", i) || s.startsWith("0X", i);
        boolean bin = s.startsWith("0b", i) || s.startsWith("0B", i);
        if (hex || bin) {
            i += 2;
        }
        boolean fraction = false;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isDigit(c) || c == '_' || (hex && "abcdefABCDEF".indexOf(c) >= 0)) {
                i++;
            } else if (!hex && !bin && (c == '.' || c == 'e' || c == 'E')) {
                if (c == '.' && (i + 1 >= s.length() || !Character.isDigit(s.charAt(i + 1))) && i + 1 < s.length()
                        && Character.isJavaIdentifierStart(s.charAt(i + 1))) {
                    break; // 1.foo is not a number followed by a field; stop at the dot
                }
                fraction = true;
                i++;
                if ((c == 'e' || c == 'E') && i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                    i++;
                }
            } else {
                break;
            }
        }
        String digits = s.substring(start, i).replace("_", "");
        char suffix = i < s.length() ? Character.toLowerCase(s.charAt(i)) : 0;
        // As in Java, a leading 0 makes an integer octal; a fraction or an F or D suffix makes it decimal again.
        boolean octal = !hex && !bin && !fraction && suffix != 'f' && suffix != 'd'
                && digits.length() > 1 && digits.charAt(0) == '0';
        try {
            if (suffix == 'l' && !fraction) {
                long v = parseLong(digits, hex, bin, octal);
                if (!hex && !bin && !octal && Long.compareUnsigned(v, Long.MIN_VALUE) > 0) {
                    throw new ParseException("integer literal " + digits + " is too large for a long", start);
                }
                // 9223372036854775808L reads as Long.MIN_VALUE; the parser allows it only after a unary minus.
                out.add(new Token(Kind.LONG, s.substring(start, i + 1), v, start));
                return i + 1;
            }
            if (suffix == 'f') {
                out.add(new Token(Kind.FLOAT, s.substring(start, i + 1), Float.parseFloat(digits), start));
                return i + 1;
            }
            if (suffix == 'd' && !hex) {
                out.add(new Token(Kind.DOUBLE, s.substring(start, i + 1), Double.parseDouble(digits), start));
                return i + 1;
            }
            if (fraction) {
                out.add(new Token(Kind.DOUBLE, digits, Double.parseDouble(digits), start));
            } else {
                long v = parseLong(digits, hex, bin, octal);
                // Decimal up to 2^31 (allowed by the parser only after a unary minus); other radixes up to 32 bits.
                long max = hex || bin || octal ? 0xFFFF_FFFFL : Integer.MAX_VALUE + 1L;
                if (Long.compareUnsigned(v, max) > 0) {
                    throw new ParseException("integer literal " + digits + " is too large for an int; add L for a long", start);
                }
                out.add(new Token(Kind.INT, digits, (int) v, start));
            }
        } catch (NumberFormatException e) {
            throw new ParseException("malformed number " + digits
                    + (octal ? ": a leading 0 makes it octal, with digits 0 to 7" : ""), start);
        }
        return i;
    }

    /** The 64 bits of an integer literal; decimal ones up to 2^64 - 1, for the caller to check the range. */
    private static long parseLong(String digits, boolean hex, boolean bin, boolean octal) {
        if (hex) {
            return Long.parseUnsignedLong(digits.substring(2), 16);
        }
        if (bin) {
            return Long.parseUnsignedLong(digits.substring(2), 2);
        }
        if (octal) {
            return Long.parseUnsignedLong(digits.substring(1), 8);
        }
        return Long.parseUnsignedLong(digits);
    }

    private static int string(String s, int start, List<Token> out) {
        StringBuilder b = new StringBuilder();
        int end = escaped(s, start + 1, '"', b);
        out.add(new Token(Kind.STRING, s.substring(start, end), b.toString(), start));
        return end;
    }

    /** Reads up to the closing quote; returns the index after it. */
    private static int escaped(String s, int i, char quote, StringBuilder b) {
        int start = i - 1;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == quote) {
                return i + 1;
            }
            if (c == '\\' && i + 1 < s.length()) {
                char e = s.charAt(i + 1);
                i += 2;
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case '0' -> b.append('\0');
                    case 's' -> b.append(' ');
                    case 'u' -> {
                        // Four hex digits exactly: Integer.parseInt alone would throw its own exception, or take a sign.
                        if (i + 4 > s.length() || !s.substring(i, i + 4).chars().allMatch(h -> Character.digit(h, 16) >= 0)) {
                            throw new ParseException("malformed \\u escape", i - 2);
                        }
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> b.append(e);
                }
            } else {
                b.append(c);
                i++;
            }
        }
        throw new ParseException("unterminated " + (quote == '"' ? "string" : "char") + " literal", start);
    }
}
