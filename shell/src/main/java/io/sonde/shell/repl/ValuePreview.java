package io.sonde.shell.repl;

import java.lang.reflect.Array;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;

/**
 * The text the shell shows after {@code ==>}: a value as the {@code jshell} tool shows it
 * (strings and chars quoted and escaped, arrays as {@code int[3] { 1, 2, 3 }}, anything else by
 * its {@code toString()}), but never more than about {@link #MAX_LENGTH} characters, and made in
 * time that does not grow with the value.
 *
 * <p>Why not JShell's own text: its local engine builds the whole string before anyone can cut
 * it, so {@code var big = new byte[200 << 20];} spent over a minute and gigabytes on a
 * 600-million-character string of which the shell showed 500. Here a large value is previewed:
 * <ul>
 *   <li>an array of more than {@link #WHOLE} elements shows its length and its first
 *       {@link #FIRST} elements: {@code byte[209715200] { 0, 0, 0, ... }};
 *   <li>a {@code java.util} collection or map of more than {@link #WHOLE} elements shows its first
 *       {@link #FIRST} and how many it holds: {@code [0, 1, 2, ...] (1000000 elements)},
 *       {@code {a=1, b=2, c=3, ...} (5000 entries)};
 *   <li>a string (or any {@code toString()}) longer than {@link #MAX_LENGTH} characters shows its
 *       first ones and its length: {@code "aaa..." ... (104857600 characters)}.
 * </ul>
 * Elements are previewed by the same rules, and once the text reaches {@link #MAX_LENGTH}
 * characters the remaining elements are left out ({@code ...}). A value whose own
 * {@code toString()} is slow is still slow: only the string it returns is cut.
 *
 * <p>Not thread-safe; one instance makes one text. Called on the thread that ran the snippet, so
 * that Ctrl-C stops a {@code toString()} that does not end as it stops the snippet.
 */
final class ValuePreview {
    /** Characters of text after which the rest of a value is left out. */
    static final int MAX_LENGTH = 500;
    /** Arrays, collections and maps up to this many elements are shown whole. */
    static final int WHOLE = 20;
    /** How many elements a larger one shows. */
    static final int FIRST = 3;
    /** Nesting deeper than this is shown as {@code ...}: an array may hold itself. */
    private static final int MAX_DEPTH = 8;
    /** As JShell's local engine escapes characters 0-255 (its {@code DirectExecutionControl}). */
    private static final String[] CHAR_REP = new String[256];

    static {
        for (int i = 0; i < CHAR_REP.length; i++) {
            CHAR_REP[i] = Character.isISOControl(i) ? String.format("\\%03o", i) : String.valueOf((char) i);
        }
        CHAR_REP['\b'] = "\\b";
        CHAR_REP['\t'] = "\\t";
        CHAR_REP['\n'] = "\\n";
        CHAR_REP['\f'] = "\\f";
        CHAR_REP['\r'] = "\\r";
        CHAR_REP['\\'] = "\\\\";
    }

    private final StringBuilder out = new StringBuilder();

    private ValuePreview() {
    }

    /** The value as the shell shows it after {@code ==>}. */
    static String of(Object value) {
        ValuePreview p = new ValuePreview();
        p.value(value, 0);
        return p.out.toString();
    }

    private boolean full() {
        return out.length() >= MAX_LENGTH;
    }

    /** As jshell shows a value or an array's element: strings and chars quoted. */
    private void value(Object v, int depth) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof String s) {
            quoted(s);
        } else if (v instanceof Character c) {
            char ch = c;
            out.append('\'').append(ch == '\'' ? "\\'" : ch < 256 ? CHAR_REP[ch] : String.valueOf(ch)).append('\'');
        } else if (v.getClass().isArray()) {
            array(v, depth);
        } else {
            plain(v, depth);
        }
    }

    /** As {@code toString()} shows it, which is how a collection shows its elements: strings unquoted. */
    private void plain(Object v, int depth) {
        if (v instanceof Collection<?> c && hasJavaUtilToString(c)) {
            collection(c, depth);
        } else if (v instanceof Map<?, ?> m && hasJavaUtilToString(m)) {
            map(m, depth);
        } else {
            text(String.valueOf(v));
        }
    }

    private void quoted(String s) {
        out.append('"');
        int i = 0;
        while (i < s.length() && !full()) {
            int cp = s.codePointAt(i);
            out.append(cp == '"' ? "\\\"" : cp < 256 ? CHAR_REP[cp] : Character.toString(cp));
            i += Character.charCount(cp);
        }
        out.append('"');
        if (i < s.length()) {
            out.append(" ... (").append(s.length()).append(" characters)");
        }
    }

    private void text(String s) {
        int room = Math.max(MAX_LENGTH - out.length(), 0);
        if (s.length() <= room) {
            out.append(s);
            return;
        }
        int end = room > 0 && Character.isHighSurrogate(s.charAt(room - 1)) ? room - 1 : room;
        out.append(s, 0, end).append(" ... (").append(s.length()).append(" characters)");
    }

    /** {@code int[3] { 1, 2, 3 }}, {@code String[2][] { ... }}: the header as jshell writes it. */
    private void array(Object array, int depth) {
        int dims = 0;
        Class<?> t = array.getClass();
        while (t.getComponentType() != null) {
            dims++;
            t = t.getComponentType();
        }
        String name = t.getTypeName();
        int length = Array.getLength(array);
        out.append(name, name.lastIndexOf('.') + 1, name.length()).append('[').append(length).append(']');
        out.append("[]".repeat(dims - 1)).append(" { ");
        int shown = 0;
        if (depth < MAX_DEPTH) {
            int limit = length <= WHOLE ? length : FIRST;
            for (; shown < limit && !full(); shown++) {
                out.append(shown == 0 ? "" : ", ");
                value(Array.get(array, shown), depth + 1);
            }
        }
        if (shown < length) {
            out.append(shown == 0 ? "..." : ", ...");
        }
        out.append(" }");
    }

    private void collection(Collection<?> c, int depth) {
        int size = c.size();
        out.append('[');
        boolean omitted = elements(c.iterator(), c, size, depth);
        out.append(']');
        if (omitted) {
            out.append(" (").append(size).append(size == 1 ? " element)" : " elements)");
        }
    }

    private void map(Map<?, ?> m, int depth) {
        int size = m.size();
        out.append('{');
        boolean omitted = elements(m.entrySet().iterator(), m, size, depth);
        out.append('}');
        if (omitted) {
            out.append(" (").append(size).append(size == 1 ? " entry)" : " entries)");
        }
    }

    /**
     * The first elements, as {@code AbstractCollection.toString} and {@code AbstractMap.toString}
     * write them; true when some were left out.
     */
    private boolean elements(Iterator<?> it, Object container, int size, int depth) {
        int limit = depth >= MAX_DEPTH ? 0 : size <= WHOLE ? size : FIRST;
        int shown = 0;
        for (; shown < limit && !full() && it.hasNext(); shown++) {
            out.append(shown == 0 ? "" : ", ");
            Object e = it.next();
            if (e instanceof Map.Entry<?, ?> entry && container instanceof Map) {
                element(entry.getKey(), container, depth);
                out.append('=');
                element(entry.getValue(), container, depth);
            } else {
                element(e, container, depth);
            }
        }
        if (it.hasNext()) {
            out.append(shown == 0 ? "..." : ", ...");
            return true;
        }
        return false;
    }

    private void element(Object e, Object container, int depth) {
        if (e == container) {
            out.append(container instanceof Map ? "(this Map)" : "(this Collection)");
        } else {
            plain(e, depth + 1);
        }
    }

    /**
     * Whether the object's {@code toString()} is one of {@code java.util}'s, which list the
     * elements as this class does: only then is previewing it the same text, shortened.
     */
    private static boolean hasJavaUtilToString(Object o) {
        try {
            return o.getClass().getMethod("toString").getDeclaringClass().getName().startsWith("java.util.");
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}
