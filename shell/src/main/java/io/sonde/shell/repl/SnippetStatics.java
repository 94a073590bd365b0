package io.sonde.shell.repl;

import io.sonde.SondeException;
import io.sonde.proto.StaticValue;
import io.sonde.tooling.StaticValues;

import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the shell variables a task reads and ships their current values with it.
 *
 * <p>A top-level variable ({@code int k = 5;}) is a static field of a snippet wrapper class, set
 * only in the driver: a worker that loads the class sees 0. So, for a function defined in a
 * snippet, this reads the bytecode of its body — the lambda's implementation method, and the
 * snippet methods and lambdas it calls, transitively — for reads of static fields of snippet
 * classes, and sends their current values. Only what the task's code reads travels: a variable
 * used elsewhere in the same snippet does not.
 *
 * <p>Thread-safe; the analysis of a function is cached (snippet classes never change: a redefined
 * snippet gets a new class name), the values are read on every submission.
 */
final class SnippetStatics {
    private record FieldRef(String owner, String name) {
    }

    /** A method to analyse; a null name means every method of the class. */
    private record Body(String className, String name, String descriptor) {
    }

    private final SnippetClasses.SnippetLoader loader;
    private final Map<Body, List<FieldRef>> analysed = new ConcurrentHashMap<>();
    private final Map<String, ClassFileReader> readers = new ConcurrentHashMap<>();

    SnippetStatics(SnippetClasses.SnippetLoader loader) {
        this.loader = loader;
    }

    List<StaticValue> capture(Object function) {
        Body start = body(function);
        if (loader.bytecode(start.className()) == null) {
            return List.of();
        }
        List<StaticValue> values = new ArrayList<>();
        for (FieldRef ref : analysed.computeIfAbsent(start, this::fieldsReadFrom)) {
            Field f;
            try {
                f = loader.loadClass(ref.owner()).getDeclaredField(ref.name());
            } catch (ClassNotFoundException | NoSuchFieldException e) {
                continue;
            }
            int mods = f.getModifiers();
            if (!Modifier.isStatic(mods) || Modifier.isFinal(mods)) {
                continue;
            }
            Object value;
            try {
                f.setAccessible(true);
                value = f.get(null);
            } catch (IllegalAccessException | RuntimeException e) {
                continue;
            }
            try {
                values.add(StaticValues.of(ref.owner(), ref.name(), value));
            } catch (SondeException e) { // the value is not serializable
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                String culprit = cause.getMessage() == null ? "" : " (" + cause.getMessage().replace("\n", " ")
                        .replace("\t", "").trim() + ")";
                throw StaticValues.cannotSend("it reads the shell variable '" + ref.name() + "', a "
                        + value.getClass().getName() + ", which is not Serializable" + culprit
                        + ". Create the value inside the task, or keep only serializable data in the variable.", cause);
            }
        }
        return values;
    }

    /** The code of the function: a lambda's or method ref's implementation method, else its whole class. */
    private static Body body(Object function) {
        try {
            Method m = function.getClass().getDeclaredMethod("writeReplace");
            m.setAccessible(true);
            Object r = m.invoke(function);
            if (r instanceof SerializedLambda) {
                SerializedLambda l = (SerializedLambda) r;
                return new Body(l.getImplClass().replace('/', '.'), l.getImplMethodName(), l.getImplMethodSignature());
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // not a lambda: the function's own class holds its code
        }
        return new Body(function.getClass().getName(), null, null);
    }

    /** Static fields of snippet classes read by {@code start} and the snippet code it calls. */
    private List<FieldRef> fieldsReadFrom(Body start) {
        Set<FieldRef> fields = new LinkedHashSet<>();
        Set<Body> seen = new LinkedHashSet<>();
        ArrayDeque<Body> todo = new ArrayDeque<>(List.of(start));
        while (!todo.isEmpty()) {
            Body body = todo.poll();
            ClassFileReader reader = reader(body.className());
            if (reader == null || !seen.add(body)) {
                continue;
            }
            List<ClassFileReader.MethodRefs> code = new ArrayList<>();
            if (body.name() == null) {
                code.addAll(reader.methods().values());
            } else if (reader.method(body.name(), body.descriptor()) != null) {
                code.add(reader.method(body.name(), body.descriptor()));
            }
            for (ClassFileReader.MethodRefs refs : code) {
                for (ClassFileReader.MemberRef read : refs.staticReads()) {
                    String owner = read.owner().replace('/', '.');
                    if (loader.bytecode(owner) != null) {
                        fields.add(new FieldRef(owner, read.name()));
                    }
                }
                for (ClassFileReader.MemberRef call : refs.calls()) {
                    String owner = call.owner().replace('/', '.');
                    if (loader.bytecode(owner) != null) {
                        todo.add(new Body(owner, call.name(), call.descriptor()));
                    }
                }
                if (refs.makesLambdas()) {
                    // a lambda inside the task: its body is one of the class's lambda$ methods
                    for (String lambda : reader.lambdaBodies()) {
                        String[] nd = lambda.split(" ", 2);
                        todo.add(new Body(body.className(), nd[0], nd[1]));
                    }
                }
            }
        }
        return List.copyOf(fields);
    }

    private ClassFileReader reader(String className) {
        byte[] bytes = loader.bytecode(className);
        if (bytes == null) {
            return null;
        }
        return readers.computeIfAbsent(className, k -> {
            try {
                return new ClassFileReader(bytes);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot read snippet class " + className, e);
            }
        });
    }
}
