package io.sonde.debugger.compile;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The Java source that javac compiles for an expression or statements typed in a stopped frame:
 * a class of the frame's package with one static method, {@code run}, whose parameters are
 * {@code this} (as {@value #THIS}) and the frame's visible locals, and which returns an
 * {@code Object[]}: the expression's value, or, for statements, the locals' values afterwards
 * (so that assignments to them can be written back to the frame).
 *
 * <p>The user's text is kept as typed, except that {@code this} becomes {@value #THIS} and a
 * simple name of an instance field or method of {@code this}'s class (not shadowed by a local, a
 * lambda's parameter or a variable the text declares) is qualified with it. A private field of
 * the frame's class, by simple name or as {@code this.f}, becomes a parameter too (a copy read
 * before the call, written back after statements): the class javac compiles is not nested in
 * the frame's class, and javac would refuse the private name. {@link #original}
 * maps a position in the generated source back to the typed text, for javac's caret.
 */
final class FrameSource {
    /** The name of {@code this} in the generated method. */
    static final String THIS = "this$";
    /** The generated class's simple name. */
    static final String CLASS = "SondeExpression$";

    /** A parameter of {@code run}: a local of the frame. */
    record Param(String name, String type) {
    }

    /** Expression (its value) or statements (the locals after them). */
    enum Kind { EXPRESSION, STATEMENTS }

    private final String source;
    private final int userStart;
    private final int userEnd;
    private final int[] toTyped;
    private final String typed;

    private FrameSource(String source, int userStart, int userEnd, int[] toTyped, String typed) {
        this.source = source;
        this.userStart = userStart;
        this.userEnd = userEnd;
        this.toTyped = toTyped;
        this.typed = typed;
    }

    /**
     * The class for {@code text} in a frame of package {@code pkg}; {@code thisType} is null in a
     * static frame; {@code fields} and {@code methods} are the instance members of {@code this}'s class.
     */
    static FrameSource of(Kind kind, String text, String pkg, List<String> imports, String thisType,
                          List<Param> params, Set<String> fields, Set<String> methods, java.util.Map<String, String> copied,
                          java.util.Map<String, String> qualified) {
        Set<String> locals = new HashSet<>();
        for (Param p : params) {
            if (!copied.containsValue(p.name())) {
                locals.add(p.name());
            }
        }
        StringBuilder rewritten = new StringBuilder();
        List<Integer> map = new ArrayList<>();
        rewrite(text, thisType != null, locals, fields, methods, copied, qualified, rewritten, map);

        StringBuilder s = new StringBuilder();
        if (!pkg.isEmpty()) {
            s.append("package ").append(pkg).append(";\n");
        }
        for (String i : imports) {
            s.append(i).append('\n');
        }
        s.append("@SuppressWarnings(\"all\")\npublic final class ").append(CLASS).append(" {\n");
        s.append("    public static Object[] run(");
        List<String> declared = new ArrayList<>();
        if (thisType != null) {
            declared.add(thisType + " " + THIS);
        }
        for (Param p : params) {
            declared.add(p.type() + " " + p.name());
        }
        s.append(String.join(", ", declared)).append(") throws Throwable {\n");
        int start;
        if (kind == Kind.EXPRESSION) {
            s.append("        return new Object[] {(");
            start = s.length();
            s.append(rewritten);
            int end = s.length();
            s.append("\n)};\n    }\n}\n");
            return new FrameSource(s.toString(), start, end, toArray(map), text);
        }
        s.append("        {\n");
        start = s.length();
        s.append(rewritten);
        int end = s.length();
        s.append("\n        }\n        return new Object[] {");
        s.append(String.join(", ", params.stream().map(Param::name).toList()));
        s.append("};\n    }\n}\n");
        return new FrameSource(s.toString(), start, end, toArray(map), text);
    }

    private static int[] toArray(List<Integer> map) {
        int[] a = new int[map.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = map.get(i);
        }
        return a;
    }

    String source() {
        return source;
    }

    String typed() {
        return typed;
    }

    /** The typed text's offset of a position of the generated source, or -1 outside the typed text. */
    int original(long position) {
        if (position < userStart) {
            return -1;
        }
        if (position > userEnd) {
            // javac points just past an expression that ends too early: at the end of the typed text
            return position <= userEnd + 2 ? typed.length() : -1;
        }
        int at = (int) (position - userStart);
        if (at >= toTyped.length) {
            return typed.length();
        }
        return toTyped[at];
    }

    // ------------------------------------------------------------------ rewriting

    private static void rewrite(String text, boolean hasThis, Set<String> locals, Set<String> fields, Set<String> methods,
                                java.util.Map<String, String> copied, java.util.Map<String, String> qualifiedNames,
                                StringBuilder out, List<Integer> map) {
        Set<String> declared = declaredNames(text);
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            int skip = skipLiteralOrComment(text, i);
            if (skip > i) {
                emit(text, i, skip, out, map);
                i = skip;
                continue;
            }
            if (Character.isJavaIdentifierStart(c)) {
                int end = i;
                while (end < n && Character.isJavaIdentifierPart(text.charAt(end))) {
                    end++;
                }
                String word = text.substring(i, end);
                boolean qualified = previousNonSpace(text, i) == '.' || text.startsWith("::", previousNonSpaceIndex(text, i) - 1);
                String replacement = null;
                int after = end;
                while (after < n && Character.isWhitespace(text.charAt(after))) {
                    after++;
                }
                String member = null;
                int memberEnd = after;
                if (word.equals("this") && after < n && text.charAt(after) == '.') {
                    int m = after + 1;
                    while (m < n && Character.isWhitespace(text.charAt(m))) {
                        m++;
                    }
                    memberEnd = m;
                    while (memberEnd < n && Character.isJavaIdentifierPart(text.charAt(memberEnd))) {
                        memberEnd++;
                    }
                    member = text.substring(m, memberEnd);
                }
                boolean call = nextNonSpace(text, end) == '(';
                if (hasThis && !qualified && member != null && copied.containsKey(member) && nextNonSpace(text, memberEnd) != '(') {
                    // this.f of a private field: its copy
                    String copy = copied.get(member);
                    for (int k = 0; k < copy.length(); k++) {
                        out.append(copy.charAt(k));
                        map.add(i);
                    }
                    i = memberEnd;
                    continue;
                } else if (!qualified && !call && copied.containsKey(word) && !locals.contains(word) && !declared.contains(word)) {
                    replacement = copied.get(word);
                } else if (hasThis && !qualified && word.equals("this")) {
                    replacement = THIS;
                } else if (!qualified && qualifiedNames.containsKey(word) && !locals.contains(word) && !declared.contains(word)) {
                    replacement = qualifiedNames.get(word) + "." + word;
                } else if (hasThis && !qualified && !locals.contains(word) && !declared.contains(word)) {
                    if (call ? methods.contains(word) : fields.contains(word)) {
                        replacement = THIS + "." + word;
                    }
                }
                if (replacement != null) {
                    for (int k = 0; k < replacement.length(); k++) {
                        out.append(replacement.charAt(k));
                        map.add(i);
                    }
                } else {
                    emit(text, i, end, out, map);
                }
                i = end;
                continue;
            }
            out.append(c);
            map.add(i);
            i++;
        }
    }

    private static void emit(String text, int from, int to, StringBuilder out, List<Integer> map) {
        for (int k = from; k < to; k++) {
            out.append(text.charAt(k));
            map.add(k);
        }
    }

    /** The end of a string, char or text block literal or a comment starting at {@code i}; {@code i} if none does. */
    private static int skipLiteralOrComment(String text, int i) {
        int n = text.length();
        if (text.startsWith("\"\"\"", i)) {
            int end = text.indexOf("\"\"\"", i + 3);
            while (end > 0 && text.charAt(end - 1) == '\\') {
                end = text.indexOf("\"\"\"", end + 1);
            }
            return end < 0 ? n : end + 3;
        }
        char c = text.charAt(i);
        if (c == '"' || c == '\'') {
            int k = i + 1;
            while (k < n && text.charAt(k) != c) {
                k += text.charAt(k) == '\\' ? 2 : 1;
            }
            return Math.min(n, k + 1);
        }
        if (text.startsWith("//", i)) {
            int end = text.indexOf('\n', i);
            return end < 0 ? n : end;
        }
        if (text.startsWith("/*", i)) {
            int end = text.indexOf("*/", i + 2);
            return end < 0 ? n : end + 2;
        }
        return i;
    }

    /**
     * Names the text itself declares, which a field's name must not replace: lambda parameters
     * ({@code x -> }, {@code (a, b) -> }) and variables ({@code int y = }, {@code for (var v : }).
     */
    static Set<String> declaredNames(String text) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            int skip = skipLiteralOrComment(text, i);
            if (skip > i) {
                tokens.add("\"\"");
                i = skip;
                continue;
            }
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (Character.isJavaIdentifierStart(c)) {
                int end = i;
                while (end < n && Character.isJavaIdentifierPart(text.charAt(end))) {
                    end++;
                }
                tokens.add(text.substring(i, end));
                i = end;
            } else if (text.startsWith("->", i)) {
                tokens.add("->");
                i += 2;
            } else {
                tokens.add(String.valueOf(c));
                i++;
            }
        }
        Set<String> names = new HashSet<>();
        for (int t = 0; t < tokens.size(); t++) {
            String tok = tokens.get(t);
            if (!tok.equals("->")) {
                continue;
            }
            if (t > 0 && isIdentifier(tokens.get(t - 1))) {
                names.add(tokens.get(t - 1));
            } else if (t > 0 && tokens.get(t - 1).equals(")")) {
                for (int b = t - 2; b >= 0 && !tokens.get(b).equals("("); b--) {
                    if (isIdentifier(tokens.get(b)) && (tokens.get(b + 1).equals(",") || tokens.get(b + 1).equals(")"))) {
                        names.add(tokens.get(b));
                    }
                }
            }
        }
        for (int t = 1; t + 1 < tokens.size(); t++) {
            String prev = tokens.get(t - 1);
            String next = tokens.get(t + 1);
            if (isIdentifier(tokens.get(t)) && (isIdentifier(prev) && !prev.equals("return") && !prev.equals("new")
                    || prev.equals(">") || prev.equals("]"))
                    && (next.equals("=") || next.equals(";") || next.equals(":") || next.equals(",") || next.equals(")"))) {
                names.add(tokens.get(t));
            }
        }
        return names;
    }

    private static boolean isIdentifier(String tok) {
        return !tok.isEmpty() && Character.isJavaIdentifierStart(tok.charAt(0)) && !tok.equals("\"\"");
    }

    private static int previousNonSpaceIndex(String text, int i) {
        int k = i - 1;
        while (k >= 0 && Character.isWhitespace(text.charAt(k))) {
            k--;
        }
        return k;
    }

    private static char previousNonSpace(String text, int i) {
        int k = previousNonSpaceIndex(text, i);
        return k < 0 ? ' ' : text.charAt(k);
    }

    private static char nextNonSpace(String text, int i) {
        int k = i;
        while (k < text.length() && Character.isWhitespace(text.charAt(k))) {
            k++;
        }
        return k < text.length() ? text.charAt(k) : ' ';
    }
}
