package io.sonde.debugger.expr;

import com.sun.jdi.AbsentInformationException;
import com.sun.jdi.ArrayReference;
import com.sun.jdi.BooleanValue;
import com.sun.jdi.ClassNotLoadedException;
import com.sun.jdi.ClassType;
import com.sun.jdi.Field;
import com.sun.jdi.InvalidTypeException;
import com.sun.jdi.LocalVariable;
import com.sun.jdi.ObjectReference;
import com.sun.jdi.PrimitiveValue;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.StackFrame;
import com.sun.jdi.StringReference;
import com.sun.jdi.Value;
import com.sun.jdi.VirtualMachine;
import io.sonde.debugger.DebugException;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Evaluates a parsed {@link Expr} in one stack frame of a stopped thread over JDI. Names resolve
 * as in Java: a local, a field of {@code this}, a static field of the frame's class, then a class
 * (the frame's nested classes, its package, {@code java.lang}, {@code java.util}, or a qualified
 * name); arithmetic, comparisons and string concatenation happen in the debugger on the values'
 * mirrors; method calls run in the target VM through the {@link Invoker}.
 *
 * <p>The frame is asked for again at every use: a method call resumes the thread for its
 * duration, which invalidates every {@link StackFrame} mirror taken before it.
 */
public final class Evaluator implements AutoCloseable {
    private final VirtualMachine vm;
    private final Supplier<StackFrame> frame;
    private final Invoker invoker;

    /** The operand a name or a qualified name stands for: a value, a class, or the start of a package name. */
    private sealed interface Operand {
    }

    private record Val(Value value) implements Operand {
    }

    private record TypeRef(ReferenceType type) implements Operand {
    }

    private record Pkg(String name) implements Operand {
    }

    public Evaluator(Invoker invoker, Supplier<StackFrame> frame) {
        this.vm = invoker.vm();
        this.invoker = invoker;
        this.frame = frame;
    }

    /** Parses and evaluates {@code source}; the result stays valid until {@link #close()}. */
    public Value evaluate(String source) {
        return value(Parser.parse(source));
    }

    /** {@code TARGET = VALUE}: sets a local, a field or an array element; returns the value stored. */
    public Value assign(String source) {
        Expr[] parts = Parser.parseAssignment(source);
        Value v = value(parts[1]);
        try {
            if (parts[0] instanceof Expr.Name n) {
                return assignName(n.name(), v);
            }
            if (parts[0] instanceof Expr.Field f) {
                Operand target = operand(f.target());
                if (target instanceof Val val && val.value() instanceof ObjectReference o && !(o instanceof ArrayReference)) {
                    Field field = o.referenceType().fieldByName(f.name());
                    if (field == null) {
                        throw new DebugException(Mirrors.simpleName(o.referenceType().name()) + " has no field " + f.name());
                    }
                    Value c = invoker.convert(v, field.typeName());
                    if (field.isStatic()) {
                        return setStatic(field, c);
                    }
                    o.setValue(field, c);
                    return c;
                }
                if (target instanceof TypeRef t) {
                    Field field = t.type().fieldByName(f.name());
                    if (field == null || !field.isStatic()) {
                        throw new DebugException(Mirrors.simpleName(t.type().name()) + " has no static field " + f.name());
                    }
                    return setStatic(field, invoker.convert(v, field.typeName()));
                }
                throw new DebugException("cannot set " + f.name() + " of " + describe(target));
            }
            Expr.Index ix = (Expr.Index) parts[0];
            ArrayReference array = array(value(ix.array()));
            int i = index(array, value(ix.index()));
            Value c = invoker.convert(v, componentTypeName(array));
            array.setValue(i, c);
            return c;
        } catch (InvalidTypeException | ClassNotLoadedException e) {
            throw new DebugException("the value does not fit: " + e.getMessage());
        }
    }

    private Value setStatic(Field field, Value v) throws InvalidTypeException, ClassNotLoadedException {
        if (!(field.declaringType() instanceof ClassType c)) {
            throw new DebugException("cannot set an interface's constant " + field.name());
        }
        if (field.isFinal()) {
            throw new DebugException(field.name() + " is a static final field: its value may be inlined and cannot be set");
        }
        c.setValue(field, v);
        return v;
    }

    private Value assignName(String name, Value v) throws InvalidTypeException, ClassNotLoadedException {
        StackFrame f = frame.get();
        LocalVariable local = local(f, name);
        if (local != null) {
            Value c = invoker.convert(v, local.typeName());
            frame.get().setValue(local, c);
            return c;
        }
        ObjectReference self = f.thisObject();
        if (self != null) {
            Field field = self.referenceType().fieldByName(name);
            if (field != null) {
                Value c = invoker.convert(v, field.typeName());
                if (field.isStatic()) {
                    return setStatic(field, c);
                }
                self.setValue(field, c);
                return c;
            }
        }
        Field field = f.location().declaringType().fieldByName(name);
        if (field != null && field.isStatic()) {
            return setStatic(field, invoker.convert(v, field.typeName()));
        }
        throw new DebugException("no local variable or field named " + name + " here");
    }

    /** Lets the target VM collect the objects the evaluation created or received. */
    @Override
    public void close() {
        invoker.release();
    }

    // ------------------------------------------------------------------ values

    private Value value(Expr e) {
        if (e instanceof Expr.Literal l) {
            return invoker.pin(Mirrors.mirror(vm, l.value()));
        }
        if (e instanceof Expr.Name || e instanceof Expr.Field || e instanceof Expr.This) {
            Operand o = operand(e);
            if (o instanceof Val v) {
                return v.value();
            }
            if (o instanceof TypeRef t) {
                throw new DebugException(t.type().name() + " is a class, not a value");
            }
            throw new DebugException("no variable, field or class named " + ((Pkg) o).name() + " here");
        }
        if (e instanceof Expr.Call c) {
            return call(c);
        }
        if (e instanceof Expr.Index ix) {
            ArrayReference array = array(value(ix.array()));
            return array.getValue(index(array, value(ix.index())));
        }
        if (e instanceof Expr.Unary u) {
            return unary(u.op(), value(u.operand()));
        }
        if (e instanceof Expr.Binary b) {
            return binary(b);
        }
        if (e instanceof Expr.Conditional c) {
            return bool(value(c.condition()), "?:") ? value(c.ifTrue()) : value(c.ifFalse());
        }
        if (e instanceof Expr.Cast c) {
            PrimitiveValue p = Mirrors.unbox(value(c.operand()));
            if (p == null) {
                throw new DebugException("cannot cast to " + c.type() + ": not a number");
            }
            return Mirrors.convert(vm, p, c.type());
        }
        throw new DebugException("cannot evaluate " + e);
    }

    private Operand operand(Expr e) {
        if (e instanceof Expr.This) {
            ObjectReference self = frame.get().thisObject();
            if (self == null) {
                throw new DebugException("there is no `this` in a static method");
            }
            return new Val(self);
        }
        if (e instanceof Expr.Name n) {
            return name(n.name());
        }
        if (e instanceof Expr.Field f) {
            return member(operand(f.target()), f.name());
        }
        return new Val(value(e));
    }

    private static LocalVariable local(StackFrame f, String name) {
        try {
            return f.visibleVariableByName(name);
        } catch (AbsentInformationException e) {
            return null; // compiled without -g: only fields and classes can be named
        }
    }

    private Operand name(String name) {
        StackFrame f = frame.get();
        LocalVariable local = local(f, name);
        if (local != null) {
            return new Val(f.getValue(local));
        }
        ObjectReference self = f.thisObject();
        if (self != null) {
            Field field = self.referenceType().fieldByName(name);
            if (field != null) {
                return new Val(self.getValue(field));
            }
        }
        ReferenceType here = f.location().declaringType();
        Field field = here.fieldByName(name);
        if (field != null && field.isStatic()) {
            return new Val(here.getValue(field));
        }
        ReferenceType type = findType(name, here);
        if (type != null) {
            return new TypeRef(type);
        }
        return new Pkg(name);
    }

    private Operand member(Operand target, String name) {
        if (target instanceof Val val) {
            Value v = val.value();
            if (v == null) {
                throw new DebugException("cannot read ." + name + " of null (a NullPointerException in Java)");
            }
            if (v instanceof ArrayReference a) {
                if (name.equals("length")) {
                    return new Val(vm.mirrorOf(a.length()));
                }
                throw new DebugException("an array has only .length, not ." + name);
            }
            if (v instanceof ObjectReference o) {
                Field field = o.referenceType().fieldByName(name);
                if (field == null) {
                    throw new DebugException(Mirrors.simpleName(o.referenceType().name()) + " has no field " + name);
                }
                return new Val(o.getValue(field));
            }
            throw new DebugException("a " + v.type().name() + " has no field " + name);
        }
        if (target instanceof TypeRef typeRef) {
            ReferenceType t = typeRef.type();
            Field field = t.fieldByName(name);
            if (field != null && field.isStatic()) {
                return new Val(t.getValue(field));
            }
            ReferenceType nested = loaded(t.name() + "$" + name, t);
            if (nested != null) {
                return new TypeRef(nested);
            }
            throw new DebugException(Mirrors.simpleName(t.name()) + " has no static field or nested class " + name);
        }
        String qualified = ((Pkg) target).name() + "." + name;
        ReferenceType type = loaded(qualified, frame.get().location().declaringType());
        return type != null ? new TypeRef(type) : new Pkg(qualified);
    }

    private Value call(Expr.Call c) {
        List<Value> args = new ArrayList<>(c.args().size());
        for (Expr a : c.args()) {
            args.add(value(a));
        }
        if (c.target() == null) {
            StackFrame f = frame.get();
            ObjectReference self = f.thisObject();
            if (self != null) {
                return invoker.invoke(self, c.name(), args);
            }
            return invoker.invokeStatic(f.location().declaringType(), c.name(), args);
        }
        Operand target = operand(c.target());
        if (target instanceof Val val) {
            Value v = val.value();
            if (v == null) {
                throw new DebugException("cannot call ." + c.name() + "() on null (a NullPointerException in Java)");
            }
            if (v instanceof ObjectReference o && !(o instanceof ArrayReference)) {
                return invoker.invoke(o, c.name(), args);
            }
            throw new DebugException("cannot call ." + c.name() + "() on a " + v.type().name());
        }
        if (target instanceof TypeRef typeRef) {
            ReferenceType t = typeRef.type();
            return invoker.invokeStatic(t, c.name(), args);
        }
        throw new DebugException("no variable, field or class named " + ((Pkg) target).name() + " here");
    }

    // ------------------------------------------------------------------ classes

    /** A class by simple or qualified name, as seen from code in {@code context}; null if none is loaded. */
    private ReferenceType findType(String name, ReferenceType context) {
        List<String> candidates = new ArrayList<>();
        String outer = context.name();
        while (true) {
            candidates.add(outer + "$" + name);
            int dollar = outer.lastIndexOf('$');
            if (dollar < 0) {
                break;
            }
            outer = outer.substring(0, dollar);
        }
        int dot = context.name().lastIndexOf('.');
        candidates.add(dot < 0 ? name : context.name().substring(0, dot + 1) + name);
        candidates.add("java.lang." + name);
        candidates.add("java.util." + name);
        for (String c : candidates) {
            ReferenceType t = loaded(c, context);
            if (t != null) {
                return t;
            }
        }
        return null;
    }

    /** The loaded class of that name, preferring the one of {@code context}'s class loader. */
    private ReferenceType loaded(String name, ReferenceType context) {
        List<ReferenceType> found = vm.classesByName(name);
        if (found.isEmpty()) {
            return null;
        }
        for (ReferenceType t : found) {
            if (t.classLoader() != null && t.classLoader().equals(context.classLoader())) {
                return t;
            }
        }
        return found.get(0);
    }

    // ------------------------------------------------------------------ operators

    private Value unary(String op, Value v) {
        PrimitiveValue p = Mirrors.unbox(v);
        if (p == null) {
            throw new DebugException("operator " + op + " needs a number or a boolean, not " + describe(new Val(v)));
        }
        Object x = Mirrors.java(p);
        switch (op) {
            case "!" -> {
                if (x instanceof Boolean b) {
                    return vm.mirrorOf(!b);
                }
                throw new DebugException("operator ! needs a boolean");
            }
            case "+" -> {
                return Mirrors.mirror(vm, promote(x, 0));
            }
            case "-" -> {
                Object n = promote(x, 0);
                return Mirrors.mirror(vm, n instanceof Integer i ? -i : n instanceof Long l ? -l
                        : n instanceof Float f ? -f : -(Double) n);
            }
            case "~" -> {
                Object n = promote(x, 0);
                if (n instanceof Integer i) {
                    return vm.mirrorOf(~i);
                }
                if (n instanceof Long l) {
                    return vm.mirrorOf(~l);
                }
                throw new DebugException("operator ~ needs an integer");
            }
            default -> throw new DebugException("unknown operator " + op);
        }
    }

    private Value binary(Expr.Binary b) {
        String op = b.op();
        if (op.equals("&&") || op.equals("||")) {
            boolean left = bool(value(b.left()), op);
            if (op.equals("&&") ? !left : left) {
                return vm.mirrorOf(left);
            }
            return vm.mirrorOf(bool(value(b.right()), op));
        }
        Value l = value(b.left());
        Value r = value(b.right());
        if (op.equals("+") && (l instanceof StringReference || r instanceof StringReference)) {
            return invoker.pin(vm.mirrorOf(text(l) + text(r)));
        }
        if (op.equals("==") || op.equals("!=")) {
            boolean eq = equal(l, r);
            return vm.mirrorOf(op.equals("==") == eq);
        }
        PrimitiveValue pl = Mirrors.unbox(l);
        PrimitiveValue pr = Mirrors.unbox(r);
        if (pl == null || pr == null) {
            throw new DebugException("operator " + op + " needs numbers" + (op.equals("+") ? " or a string" : "")
                    + ", not " + describe(new Val(pl == null ? l : r)));
        }
        Object x = Mirrors.java(pl);
        Object y = Mirrors.java(pr);
        if (x instanceof Boolean bx && y instanceof Boolean by) {
            return switch (op) {
                case "&" -> vm.mirrorOf(bx & by);
                case "|" -> vm.mirrorOf(bx | by);
                case "^" -> vm.mirrorOf(bx ^ by);
                default -> throw new DebugException("operator " + op + " needs numbers, not booleans");
            };
        }
        if (x instanceof Boolean || y instanceof Boolean) {
            throw new DebugException("operator " + op + " cannot mix a boolean and a number");
        }
        if (op.equals("<<") || op.equals(">>") || op.equals(">>>")) {
            Object n = promote(x, 0);
            long by = ((Number) promote(y, 0)).longValue();
            if (n instanceof Integer i) {
                int s = (int) by;
                return vm.mirrorOf(op.equals("<<") ? i << s : op.equals(">>") ? i >> s : i >>> s);
            }
            if (n instanceof Long v) {
                return vm.mirrorOf(op.equals("<<") ? v << by : op.equals(">>") ? v >> by : v >>> by);
            }
            throw new DebugException("operator " + op + " needs integers");
        }
        Object nx = promote(x, rank(y));
        Object ny = promote(y, rank(x));
        if (nx instanceof Integer i && ny instanceof Integer j) {
            return switch (op) {
                case "+" -> vm.mirrorOf(i + j);
                case "-" -> vm.mirrorOf(i - j);
                case "*" -> vm.mirrorOf(i * j);
                case "/" -> vm.mirrorOf(i / nonZero(j));
                case "%" -> vm.mirrorOf(i % nonZero(j));
                case "&" -> vm.mirrorOf(i & j);
                case "|" -> vm.mirrorOf(i | j);
                case "^" -> vm.mirrorOf(i ^ j);
                default -> vm.mirrorOf(compare(op, Integer.compare(i, j)));
            };
        }
        if (nx instanceof Long i && ny instanceof Long j) {
            return switch (op) {
                case "+" -> vm.mirrorOf(i + j);
                case "-" -> vm.mirrorOf(i - j);
                case "*" -> vm.mirrorOf(i * j);
                case "/" -> vm.mirrorOf(i / nonZero(j));
                case "%" -> vm.mirrorOf(i % nonZero(j));
                case "&" -> vm.mirrorOf(i & j);
                case "|" -> vm.mirrorOf(i | j);
                case "^" -> vm.mirrorOf(i ^ j);
                default -> vm.mirrorOf(compare(op, Long.compare(i, j)));
            };
        }
        if (op.equals("&") || op.equals("|") || op.equals("^")) {
            throw new DebugException("operator " + op + " needs integers or booleans");
        }
        if (nx instanceof Float i && ny instanceof Float j) {
            return switch (op) {
                case "+" -> vm.mirrorOf(i + j);
                case "-" -> vm.mirrorOf(i - j);
                case "*" -> vm.mirrorOf(i * j);
                case "/" -> vm.mirrorOf(i / j);
                case "%" -> vm.mirrorOf(i % j);
                default -> vm.mirrorOf(compareFloating(op, i, j));
            };
        }
        double i = ((Number) nx).doubleValue();
        double j = ((Number) ny).doubleValue();
        return switch (op) {
            case "+" -> vm.mirrorOf(i + j);
            case "-" -> vm.mirrorOf(i - j);
            case "*" -> vm.mirrorOf(i * j);
            case "/" -> vm.mirrorOf(i / j);
            case "%" -> vm.mirrorOf(i % j);
            default -> vm.mirrorOf(compareFloating(op, i, j));
        };
    }

    private static int nonZero(int j) {
        if (j == 0) {
            throw new DebugException("division by zero (an ArithmeticException in Java)");
        }
        return j;
    }

    private static long nonZero(long j) {
        if (j == 0) {
            throw new DebugException("division by zero (an ArithmeticException in Java)");
        }
        return j;
    }

    private static boolean compare(String op, int c) {
        return switch (op) {
            case "<" -> c < 0;
            case ">" -> c > 0;
            case "<=" -> c <= 0;
            case ">=" -> c >= 0;
            default -> throw new DebugException("unknown operator " + op);
        };
    }

    /** IEEE comparisons, where NaN compares false to everything. */
    private static boolean compareFloating(String op, double a, double b) {
        return switch (op) {
            case "<" -> a < b;
            case ">" -> a > b;
            case "<=" -> a <= b;
            case ">=" -> a >= b;
            default -> throw new DebugException("unknown operator " + op);
        };
    }

    /** 0 int, 1 long, 2 float, 3 double: Java's binary numeric promotion. */
    private static int rank(Object n) {
        if (n instanceof Double) {
            return 3;
        }
        if (n instanceof Float) {
            return 2;
        }
        if (n instanceof Long) {
            return 1;
        }
        return 0;
    }

    private static Object promote(Object n, int otherRank) {
        if (n instanceof Boolean) {
            throw new DebugException("a boolean is not a number");
        }
        Number v = n instanceof Character c ? (int) c : (Number) n;
        int r = Math.max(rank(v), otherRank);
        return switch (r) {
            case 3 -> v.doubleValue();
            case 2 -> v.floatValue();
            case 1 -> v.longValue();
            default -> v.intValue();
        };
    }

    private boolean equal(Value l, Value r) {
        boolean lRef = l == null || l instanceof ObjectReference;
        boolean rRef = r == null || r instanceof ObjectReference;
        if (lRef && rRef) {
            return l == null ? r == null : l.equals(r); // reference equality, as == in Java
        }
        PrimitiveValue pl = Mirrors.unbox(l);
        PrimitiveValue pr = Mirrors.unbox(r);
        if (pl == null || pr == null) {
            throw new DebugException("cannot compare " + describe(new Val(l)) + " with " + describe(new Val(r)));
        }
        Object x = Mirrors.java(pl);
        Object y = Mirrors.java(pr);
        if (x instanceof Boolean || y instanceof Boolean) {
            return x.equals(y);
        }
        Object nx = promote(x, rank(y));
        Object ny = promote(y, rank(x));
        if (nx instanceof Double || nx instanceof Float) {
            return ((Number) nx).doubleValue() == ((Number) ny).doubleValue();
        }
        return ((Number) nx).longValue() == ((Number) ny).longValue();
    }

    private static boolean bool(Value v, String op) {
        PrimitiveValue p = Mirrors.unbox(v);
        if (p instanceof BooleanValue b) {
            return b.value();
        }
        throw new DebugException("operator " + op + " needs a boolean");
    }

    private static int index(ArrayReference array, Value i) {
        PrimitiveValue p = Mirrors.unbox(i);
        if (p == null || !Mirrors.widens(Mirrors.kind(p), "int") && !Mirrors.kind(p).equals("long")) {
            throw new DebugException("an array index must be an integer");
        }
        long n = p.longValue();
        if (n < 0 || n >= array.length()) {
            throw new DebugException("index " + n + " is out of bounds for length " + array.length());
        }
        return (int) n;
    }

    private static ArrayReference array(Value v) {
        if (v instanceof ArrayReference a) {
            return a;
        }
        throw new DebugException(v == null ? "cannot index null (a NullPointerException in Java)"
                : "[] needs an array, not a " + Mirrors.simpleName(v.type().name())
                + (v instanceof ObjectReference ? "; for a list say list.get(i)" : ""));
    }

    private static String componentTypeName(ArrayReference a) {
        String name = a.referenceType().name();
        return name.substring(0, name.length() - 2);
    }

    /** Java's string conversion, calling {@code toString()} in the target VM for objects. */
    private String text(Value v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof StringReference s) {
            return s.value();
        }
        if (v instanceof PrimitiveValue p) {
            return Mirrors.javaString(p);
        }
        Value s = invoker.invokeNoArgs((ObjectReference) v, "toString", "()Ljava/lang/String;");
        return s instanceof StringReference str ? str.value() : "null";
    }

    private static String describe(Operand o) {
        if (o instanceof Val val) {
            Value v = val.value();
            return v == null ? "null" : "a " + Mirrors.simpleName(v.type().name());
        }
        if (o instanceof TypeRef typeRef) {
            ReferenceType t = typeRef.type();
            return "the class " + t.name();
        }
        return ((Pkg) o).name();
    }
}
