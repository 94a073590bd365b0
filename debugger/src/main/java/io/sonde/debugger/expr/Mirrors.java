package io.sonde.debugger.expr;

import com.sun.jdi.ArrayType;
import com.sun.jdi.BooleanValue;
import com.sun.jdi.ByteValue;
import com.sun.jdi.CharValue;
import com.sun.jdi.ClassType;
import com.sun.jdi.DoubleValue;
import com.sun.jdi.Field;
import com.sun.jdi.FloatValue;
import com.sun.jdi.IntegerValue;
import com.sun.jdi.InterfaceType;
import com.sun.jdi.LongValue;
import com.sun.jdi.ObjectReference;
import com.sun.jdi.PrimitiveValue;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.ShortValue;
import com.sun.jdi.Value;
import com.sun.jdi.VirtualMachine;
import io.sonde.debugger.DebugException;

import java.util.Map;
import java.util.Set;

/**
 * Conversions between JDI value mirrors and Java values: unboxing, primitive widening and
 * narrowing, assignability by type name. Nothing here runs code in the target VM.
 */
public final class Mirrors {
    /** Box class name to primitive name. */
    static final Map<String, String> UNBOXED = Map.of(
            "java.lang.Integer", "int", "java.lang.Long", "long", "java.lang.Short", "short", "java.lang.Byte", "byte",
            "java.lang.Character", "char", "java.lang.Float", "float", "java.lang.Double", "double",
            "java.lang.Boolean", "boolean");
    static final Map<String, String> BOXED = Map.of(
            "int", "java.lang.Integer", "long", "java.lang.Long", "short", "java.lang.Short", "byte", "java.lang.Byte",
            "char", "java.lang.Character", "float", "java.lang.Float", "double", "java.lang.Double",
            "boolean", "java.lang.Boolean");
    public static final Set<String> PRIMITIVES = BOXED.keySet();

    private Mirrors() {
    }

    /** {@code int}, {@code boolean}, ... of a primitive mirror. */
    public static String kind(PrimitiveValue v) {
        return v.type().name();
    }

    public static boolean isBoxed(Value v) {
        return v instanceof ObjectReference o && UNBOXED.containsKey(o.referenceType().name());
    }

    /** The primitive inside a box, the value itself if primitive, else null. Reads the box's field, invokes nothing. */
    public static PrimitiveValue unbox(Value v) {
        if (v instanceof PrimitiveValue p) {
            return p;
        }
        if (isBoxed(v)) {
            ObjectReference o = (ObjectReference) v;
            Field f = o.referenceType().fieldByName("value");
            return f == null ? null : (PrimitiveValue) o.getValue(f);
        }
        return null;
    }

    /** The Java value of a primitive mirror: Integer, Long, Short, Byte, Character, Float, Double or Boolean. */
    static Object java(PrimitiveValue v) {
        if (v instanceof IntegerValue i) {
            return i.value();
        }
        if (v instanceof LongValue l) {
            return l.value();
        }
        if (v instanceof DoubleValue d) {
            return d.value();
        }
        if (v instanceof FloatValue f) {
            return f.value();
        }
        if (v instanceof BooleanValue b) {
            return b.value();
        }
        if (v instanceof CharValue c) {
            return c.value();
        }
        if (v instanceof ShortValue s) {
            return s.value();
        }
        if (v instanceof ByteValue b) {
            return b.value();
        }
        throw new DebugException("unexpected value " + v);
    }

    /** Java's string conversion of a primitive: {@code 3}, {@code 2.5}, {@code x}, {@code true}. */
    public static String javaString(PrimitiveValue v) {
        return String.valueOf(java(v));
    }

    /** A Java value as a mirror in {@code vm}. */
    static Value mirror(VirtualMachine vm, Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof Integer i) {
            return vm.mirrorOf(i);
        }
        if (v instanceof Long l) {
            return vm.mirrorOf(l);
        }
        if (v instanceof Double d) {
            return vm.mirrorOf(d);
        }
        if (v instanceof Float f) {
            return vm.mirrorOf(f);
        }
        if (v instanceof Boolean b) {
            return vm.mirrorOf(b);
        }
        if (v instanceof Character c) {
            return vm.mirrorOf(c);
        }
        if (v instanceof Short s) {
            return vm.mirrorOf(s);
        }
        if (v instanceof Byte b) {
            return vm.mirrorOf(b);
        }
        if (v instanceof String s) {
            return vm.mirrorOf(s);
        }
        throw new DebugException("cannot mirror " + v.getClass().getName());
    }

    static boolean isNumeric(String kind) {
        return !kind.equals("boolean");
    }

    /** Widening primitive conversion allowed by Java from {@code from} to {@code to} (identity included). */
    static boolean widens(String from, String to) {
        if (from.equals(to)) {
            return true;
        }
        return switch (from) {
            case "byte" -> Set.of("short", "int", "long", "float", "double").contains(to);
            case "short", "char" -> Set.of("int", "long", "float", "double").contains(to);
            case "int" -> Set.of("long", "float", "double").contains(to);
            case "long" -> Set.of("float", "double").contains(to);
            case "float" -> to.equals("double");
            default -> false;
        };
    }

    /** Converts a primitive to another primitive kind as a Java cast would. */
    public static Value convert(VirtualMachine vm, PrimitiveValue v, String to) {
        if (kind(v).equals(to)) {
            return v;
        }
        if (to.equals("boolean") || kind(v).equals("boolean")) {
            throw new DebugException("cannot convert " + kind(v) + " to " + to);
        }
        return switch (to) {
            case "int" -> vm.mirrorOf(v.intValue());
            case "long" -> vm.mirrorOf(v.longValue());
            case "short" -> vm.mirrorOf(v.shortValue());
            case "byte" -> vm.mirrorOf(v.byteValue());
            case "char" -> vm.mirrorOf(v.charValue());
            case "float" -> vm.mirrorOf(v.floatValue());
            case "double" -> vm.mirrorOf(v.doubleValue());
            default -> throw new DebugException("cannot convert " + kind(v) + " to " + to);
        };
    }

    /** Whether a value of type {@code t} may be passed where {@code typeName} is expected. */
    static boolean assignable(ReferenceType t, String typeName) {
        if (typeName.equals("java.lang.Object") || t.name().equals(typeName)) {
            return true;
        }
        if (t instanceof ClassType c) {
            for (InterfaceType i : c.allInterfaces()) {
                if (i.name().equals(typeName)) {
                    return true;
                }
            }
            ClassType s = c.superclass();
            return s != null && assignable(s, typeName);
        }
        if (t instanceof InterfaceType i) {
            for (InterfaceType s : i.superinterfaces()) {
                if (assignable(s, typeName)) {
                    return true;
                }
            }
            return false;
        }
        if (t instanceof ArrayType) {
            return typeName.equals("java.lang.Cloneable") || typeName.equals("java.io.Serializable");
        }
        return false;
    }

    /** The simple name people read: {@code Counter} for {@code io.x.Tests$Counter}; anonymous classes keep their {@code $1}. */
    public static String simpleName(String className) {
        String s = className.substring(className.lastIndexOf('.') + 1);
        int dollar = s.lastIndexOf('$');
        if (dollar >= 0 && dollar + 1 < s.length() && !Character.isDigit(s.charAt(dollar + 1))) {
            return s.substring(dollar + 1);
        }
        return s;
    }
}
