package io.sonde.debugger.expr;

import com.sun.jdi.ArrayReference;
import com.sun.jdi.CharValue;
import com.sun.jdi.ClassObjectReference;
import com.sun.jdi.ClassType;
import com.sun.jdi.Field;
import com.sun.jdi.Method;
import com.sun.jdi.ObjectReference;
import com.sun.jdi.PrimitiveValue;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.StringReference;
import com.sun.jdi.Value;
import io.sonde.debugger.DebugException;

import java.util.List;

/**
 * Shows JDI value mirrors the way people read Java values: primitives as Java prints them,
 * strings and chars quoted, boxes as their number, enums by name, arrays and collections as
 * {@code [1, 2, 3]} and maps as {@code {a=1}} (the first {@value #MAX_ELEMENTS} elements), other
 * objects by their fields one level deep ({@code Counter{n=3}}). Inside a container or an
 * object, an object shows its own {@code toString()} if its class overrides it, else
 * {@code Type@id}.
 *
 * <p>Collections and maps are read by calling {@code toArray()} and {@code entrySet()} in the
 * target VM; without an {@link Invoker} they show their fields like any object.
 */
public final class ValueRenderer {
    public static final int MAX_ELEMENTS = 10;
    public static final int MAX_FIELDS = 12;
    public static final int MAX_STRING = 200;
    private final Invoker invoker;

    /** {@code invoker} may be null: nothing is then run in the target VM. */
    public ValueRenderer(Invoker invoker) {
        this.invoker = invoker;
    }

    public String render(Value v) {
        return render(v, 0);
    }

    private String render(Value v, int depth) {
        if (v == null) {
            return "null";
        }
        if (v instanceof CharValue c) {
            return "'" + escape(String.valueOf(c.value())) + "'";
        }
        if (v instanceof PrimitiveValue p) {
            return Mirrors.javaString(p);
        }
        if (v instanceof StringReference s) {
            return quote(s.value());
        }
        ObjectReference o = (ObjectReference) v;
        PrimitiveValue boxed = Mirrors.isBoxed(o) ? Mirrors.unbox(o) : null;
        if (boxed != null) {
            return render(boxed, depth);
        }
        if (o instanceof ArrayReference a) {
            return depth >= 2 ? shortArray(a) : elements(a.getValues(0, Math.min(a.length(), MAX_ELEMENTS)), a.length(), depth);
        }
        if (o instanceof ClassObjectReference c) {
            return "class " + c.reflectedType().name();
        }
        ReferenceType type = o.referenceType();
        String enumName = enumName(o);
        if (enumName != null) {
            return enumName;
        }
        try {
            if (invoker != null && Mirrors.assignable(type, "java.util.Collection")) {
                return depth >= 2 ? Mirrors.simpleName(type.name()) + "(size=" + size(o) + ")" : collection(o, depth);
            }
            if (invoker != null && Mirrors.assignable(type, "java.util.Map")) {
                return depth >= 2 ? Mirrors.simpleName(type.name()) + "(size=" + size(o) + ")" : map(o, depth);
            }
            if (depth >= 1) {
                return shortObject(o);
            }
        } catch (DebugException e) {
            // a call failed (the thread cannot run code now, or toString threw): show the fields
        }
        return fields(o, depth);
    }

    private String elements(List<? extends Value> values, int total, int depth) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(render(values.get(i), depth + 1));
        }
        if (total > values.size()) {
            b.append(", ... ").append(total - values.size()).append(" more");
        }
        return b.append(']').toString();
    }

    private String collection(ObjectReference o, int depth) {
        Value array = invoker.invokeNoArgs(o, "toArray", "()[Ljava/lang/Object;");
        if (!(array instanceof ArrayReference a)) {
            return fields(o, depth);
        }
        return elements(a.getValues(0, Math.min(a.length(), MAX_ELEMENTS)), a.length(), depth);
    }

    private String map(ObjectReference o, int depth) {
        Value entries = invoker.invokeNoArgs(o, "entrySet", "()Ljava/util/Set;");
        Value array = entries instanceof ObjectReference set ? invoker.invokeNoArgs(set, "toArray", "()[Ljava/lang/Object;") : null;
        if (!(array instanceof ArrayReference a)) {
            return fields(o, depth);
        }
        StringBuilder b = new StringBuilder("{");
        int shown = Math.min(a.length(), MAX_ELEMENTS);
        for (int i = 0; i < shown; i++) {
            ObjectReference e = (ObjectReference) a.getValue(i);
            Value k = invoker.invokeNoArgs(e, "getKey", "()Ljava/lang/Object;");
            Value v = invoker.invokeNoArgs(e, "getValue", "()Ljava/lang/Object;");
            b.append(i == 0 ? "" : ", ").append(render(k, depth + 1)).append('=').append(render(v, depth + 1));
        }
        if (a.length() > shown) {
            b.append(", ... ").append(a.length() - shown).append(" more");
        }
        return b.append('}').toString();
    }

    private String size(ObjectReference o) {
        Value n = invoker.invokeNoArgs(o, "size", "()I");
        return n == null ? "?" : render(n);
    }

    /** {@code Counter{n=3, name="x"}}: the instance fields, each shown shallowly. */
    private String fields(ObjectReference o, int depth) {
        StringBuilder b = new StringBuilder(Mirrors.simpleName(o.referenceType().name())).append('{');
        int n = 0;
        for (Field f : o.referenceType().allFields()) {
            if (f.isStatic() || f.isSynthetic()) {
                continue;
            }
            if (n == MAX_FIELDS) {
                b.append(", ...");
                break;
            }
            b.append(n++ == 0 ? "" : ", ").append(f.name()).append('=').append(render(o.getValue(f), depth + 1));
        }
        return b.append('}').toString();
    }

    /** An object inside another: its own {@code toString()} if its class has one, else {@code Type@id}. */
    private String shortObject(ObjectReference o) {
        if (invoker != null && o.referenceType() instanceof ClassType c) {
            Method m = c.concreteMethodByName("toString", "()Ljava/lang/String;");
            if (m != null && !m.declaringType().name().equals("java.lang.Object")) {
                Value s = invoker.invokeNoArgs(o, "toString", "()Ljava/lang/String;");
                if (s instanceof StringReference str) {
                    return abbreviate(str.value());
                }
            }
        }
        return Mirrors.simpleName(o.referenceType().name()) + "@" + Long.toHexString(o.uniqueID());
    }

    private static String shortArray(ArrayReference a) {
        String name = a.referenceType().name();
        int bracket = name.indexOf('[');
        return Mirrors.simpleName(name.substring(0, bracket)) + "[" + a.length() + "]" + name.substring(bracket + 2);
    }

    private static String enumName(ObjectReference o) {
        if (!(o.referenceType() instanceof ClassType c)) {
            return null;
        }
        for (ClassType s = c.superclass(); s != null; s = s.superclass()) {
            if (s.name().equals("java.lang.Enum")) {
                Field name = s.fieldByName("name");
                Value v = name == null ? null : o.getValue(name);
                return v instanceof StringReference str ? str.value() : null;
            }
        }
        return null;
    }

    private static String abbreviate(String s) {
        return s.length() > MAX_STRING ? s.substring(0, MAX_STRING) + "..." : s;
    }

    /** A Java string literal of {@code s}, cut after {@value #MAX_STRING} characters. */
    public static String quote(String s) {
        if (s.length() > MAX_STRING) {
            return "\"" + escape(s.substring(0, MAX_STRING)) + "\"... (" + s.length() + " chars)";
        }
        return "\"" + escape(s) + "\"";
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
