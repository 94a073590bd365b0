package io.sonde.debugger.expr;

import com.sun.jdi.ClassNotLoadedException;
import com.sun.jdi.ClassType;
import com.sun.jdi.Field;
import com.sun.jdi.IncompatibleThreadStateException;
import com.sun.jdi.InterfaceType;
import com.sun.jdi.InvalidTypeException;
import com.sun.jdi.InvocationException;
import com.sun.jdi.Method;
import com.sun.jdi.ObjectReference;
import com.sun.jdi.PrimitiveValue;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.StringReference;
import com.sun.jdi.ThreadReference;
import com.sun.jdi.Value;
import com.sun.jdi.VirtualMachine;
import io.sonde.debugger.DebugException;

import java.util.ArrayList;
import java.util.List;

/**
 * Calls methods in the target VM on the stopped task thread: picks the overload that fits the
 * arguments (exact types first, then widening, then boxing and unboxing), converts the arguments
 * and invokes it with {@link ObjectReference#INVOKE_SINGLE_THREADED}, so only the task thread runs
 * while the call lasts. The thread must be stopped at a JDI event (breakpoint or step), which the
 * debug session guarantees.
 *
 * <p>Objects that calls return are kept from garbage collection until {@link #release()}, so that
 * a chain like {@code s.trim().length()} does not lose its intermediate string.
 */
public final class Invoker {
    private final VirtualMachine vm;
    private final ThreadReference thread;
    private final List<ObjectReference> pinned = new ArrayList<>();

    public Invoker(VirtualMachine vm, ThreadReference thread) {
        this.vm = vm;
        this.thread = thread;
    }

    public VirtualMachine vm() {
        return vm;
    }

    /** An instance method (or a static one reached through an instance) on {@code target}. */
    public Value invoke(ObjectReference target, String name, List<Value> args) {
        Method m = choose(target.referenceType(), name, args, false);
        List<Value> converted = convertArguments(m, args);
        if (m.isStatic()) {
            return pin(call(() -> invokeStatic(m.declaringType(), m, converted)));
        }
        return pin(call(() -> target.invokeMethod(thread, m, converted, ObjectReference.INVOKE_SINGLE_THREADED)));
    }

    /** A static method of {@code type}. */
    public Value invokeStatic(ReferenceType type, String name, List<Value> args) {
        Method m = choose(type, name, args, true);
        List<Value> converted = convertArguments(m, args);
        return pin(call(() -> invokeStatic(type, m, converted)));
    }

    /** A static method already chosen, with arguments that fit it as they are. */
    public Value invokeStatic(ClassType type, Method m, List<Value> args) {
        return pin(call(() -> type.invokeMethod(thread, m, args, ObjectReference.INVOKE_SINGLE_THREADED)));
    }

    /** The thread calls run on. */
    public ThreadReference thread() {
        return thread;
    }

    /** A method without arguments by exact name and signature, or null if the type has none. */
    public Value invokeNoArgs(ObjectReference target, String name, String signature) {
        List<Method> ms = target.referenceType().methodsByName(name, signature);
        if (ms.isEmpty()) {
            return null;
        }
        return pin(call(() -> target.invokeMethod(thread, ms.get(0), List.of(), ObjectReference.INVOKE_SINGLE_THREADED)));
    }

    /** Boxes a primitive with the box class's {@code valueOf}, as Java's autoboxing does. */
    public ObjectReference box(PrimitiveValue p) {
        String boxName = Mirrors.BOXED.get(Mirrors.kind(p));
        ReferenceType box = vm.classesByName(boxName).stream().findFirst()
                .orElseThrow(() -> new DebugException(boxName + " is not loaded in the worker"));
        Method valueOf = box.methodsByName("valueOf", "(" + p.type().signature() + ")L" + boxName.replace('.', '/') + ";")
                .stream().findFirst().orElseThrow(() -> new DebugException("no " + boxName + ".valueOf"));
        return (ObjectReference) pin(call(() -> invokeStatic(box, valueOf, List.of(p))));
    }

    /** Lets the target VM collect the objects calls returned. */
    public void release() {
        for (ObjectReference o : pinned) {
            try {
                o.enableCollection();
            } catch (RuntimeException ignored) {
                // the VM went away or the object is gone: nothing to release
            }
        }
        pinned.clear();
    }

    /** Keeps an object alive in the target VM until {@link #release()}. */
    public Value pin(Value v) {
        if (v instanceof ObjectReference o) {
            try {
                o.disableCollection();
                pinned.add(o);
            } catch (RuntimeException ignored) {
                // already collected or unsupported: use it as is
            }
        }
        return v;
    }

    private Value invokeStatic(ReferenceType type, Method m, List<Value> args)
            throws InvalidTypeException, ClassNotLoadedException, IncompatibleThreadStateException, InvocationException {
        if (type instanceof ClassType c) {
            return c.invokeMethod(thread, m, args, ObjectReference.INVOKE_SINGLE_THREADED);
        }
        if (type instanceof InterfaceType i) {
            return i.invokeMethod(thread, m, args, ObjectReference.INVOKE_SINGLE_THREADED);
        }
        throw new DebugException("cannot call a static method of " + type.name());
    }

    private interface Call {
        Value run() throws InvalidTypeException, ClassNotLoadedException, IncompatibleThreadStateException, InvocationException;
    }

    private Value call(Call c) {
        try {
            return c.run();
        } catch (InvocationException e) {
            throw new DebugException("the call threw " + describe(e.exception()));
        } catch (IncompatibleThreadStateException e) {
            throw new DebugException("cannot call methods now: the task's thread is not stopped at a debugger event");
        } catch (InvalidTypeException | ClassNotLoadedException e) {
            throw new DebugException("the arguments do not fit the method: " + e.getMessage());
        }
    }

    /** {@code java.lang.IllegalStateException: message}, read from the exception's fields without running code. */
    public static String describe(ObjectReference exception) {
        String text = exception.referenceType().name();
        Field message = exception.referenceType().fieldByName("detailMessage");
        if (message != null && exception.getValue(message) instanceof StringReference s) {
            text += ": " + s.value();
        }
        return text;
    }

    private Method choose(ReferenceType type, String name, List<Value> args, boolean staticOnly) {
        List<Method> named = type.methodsByName(name);
        if (named.isEmpty()) {
            throw new DebugException(Mirrors.simpleName(type.name()) + " has no method " + name + "(...)");
        }
        Method best = null;
        int bestCost = Integer.MAX_VALUE;
        for (Method m : named) {
            if (staticOnly && !m.isStatic()) {
                continue;
            }
            List<String> params = m.argumentTypeNames();
            if (params.size() != args.size()) {
                continue;
            }
            int cost = 0;
            for (int i = 0; i < params.size() && cost >= 0; i++) {
                int c = cost(args.get(i), params.get(i));
                cost = c < 0 ? -1 : cost + c;
            }
            if (cost >= 0 && (cost < bestCost || cost == bestCost && best != null && best.isAbstract() && !m.isAbstract())) {
                best = m;
                bestCost = cost;
            }
        }
        if (best == null) {
            StringBuilder sig = new StringBuilder();
            for (Value a : args) {
                sig.append(sig.length() == 0 ? "" : ", ").append(a == null ? "null" : Mirrors.simpleName(a.type().name()));
            }
            throw new DebugException(Mirrors.simpleName(type.name()) + " has no " + (staticOnly ? "static " : "")
                    + "method " + name + "(" + sig + "); it has "
                    + named.stream().map(m -> m.name() + "(" + String.join(", ", m.argumentTypeNames().stream()
                    .map(Mirrors::simpleName).toList()) + ")").distinct().toList());
        }
        return best;
    }

    /** How well an argument fits a parameter type: 0 exact, higher is worse, -1 does not fit. */
    private static int cost(Value arg, String param) {
        boolean primitiveParam = Mirrors.PRIMITIVES.contains(param);
        if (arg == null) {
            return primitiveParam ? -1 : 1;
        }
        if (primitiveParam) {
            PrimitiveValue p = Mirrors.unbox(arg);
            if (p == null) {
                return -1;
            }
            int boxing = arg instanceof PrimitiveValue ? 0 : 2;
            String kind = Mirrors.kind(p);
            if (kind.equals(param)) {
                return boxing;
            }
            return Mirrors.widens(kind, param) ? boxing + 1 : -1;
        }
        if (arg instanceof PrimitiveValue p) {
            String box = Mirrors.BOXED.get(Mirrors.kind(p));
            if (param.equals(box)) {
                return 2;
            }
            return switch (param) {
                case "java.lang.Object", "java.io.Serializable", "java.lang.Comparable" -> 3;
                case "java.lang.Number" -> Mirrors.isNumeric(Mirrors.kind(p)) && !Mirrors.kind(p).equals("char") ? 3 : -1;
                default -> -1;
            };
        }
        if (arg instanceof ObjectReference o) {
            if (o.referenceType().name().equals(param)) {
                return 0;
            }
            return Mirrors.assignable(o.referenceType(), param) ? 1 : -1;
        }
        return -1;
    }

    private List<Value> convertArguments(Method m, List<Value> args) {
        List<String> params = m.argumentTypeNames();
        List<Value> out = new ArrayList<>(args.size());
        for (int i = 0; i < args.size(); i++) {
            out.add(convert(args.get(i), params.get(i)));
        }
        return out;
    }

    /** The value as Java would pass it to a parameter (or store it in a variable) of {@code type}. */
    public Value convert(Value v, String type) {
        if (v == null) {
            if (Mirrors.PRIMITIVES.contains(type)) {
                throw new DebugException("cannot convert null to " + type);
            }
            return null;
        }
        if (Mirrors.PRIMITIVES.contains(type)) {
            PrimitiveValue p = Mirrors.unbox(v);
            if (p == null) {
                throw new DebugException("cannot convert a " + Mirrors.simpleName(v.type().name()) + " to " + type);
            }
            return Mirrors.convert(vm, p, type);
        }
        if (v instanceof PrimitiveValue p) {
            String unboxed = Mirrors.UNBOXED.get(type);
            return box(unboxed != null ? (PrimitiveValue) Mirrors.convert(vm, p, unboxed) : p);
        }
        return v;
    }
}
