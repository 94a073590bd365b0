package io.sonde.shell.repl;

import io.sonde.internal.proto.StaticValue;
import io.sonde.internal.serialization.SerializationException;
import io.sonde.internal.serialization.Serializer;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
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
 * snippet, this reads the constant pool of its class — and of the snippet classes whose methods
 * it calls — for references to fields of other snippet classes, and sends their values. Fields
 * of the function's own snippet class are left out: they hold what that snippet declares
 * ({@code var r = task(...)}), which the task cannot read yet.
 *
 * <p>Thread-safe; the analysis of a class is cached (snippet classes never change: a redefined
 * snippet gets a new class name), the values are read on every submission.
 */
final class SnippetStatics {
    private record FieldRef(String owner, String name) {
    }

    private final SnippetClasses.SnippetLoader loader;
    private final Map<String, List<FieldRef>> analysed = new ConcurrentHashMap<>();

    SnippetStatics(SnippetClasses.SnippetLoader loader) {
        this.loader = loader;
    }

    List<StaticValue> capture(Object function) {
        String start = implementationClass(function);
        if (loader.bytecode(start) == null) {
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
                values.add(StaticValue.newBuilder().setClassName(ref.owner()).setField(ref.name())
                        .setValue(Serializer.value(value)).build());
            } catch (SerializationException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                String culprit = cause.getMessage() == null ? "" : " (" + cause.getMessage().replace("\n", " ")
                        .replace("\t", "").trim() + ")";
                throw new SerializationException("it reads the shell variable '" + ref.name() + "', a "
                        + value.getClass().getName() + ", which is not Serializable" + culprit
                        + ". Create the value inside the task, or keep only serializable data in the variable.", cause);
            }
        }
        return values;
    }

    /** The class holding the function's code: a lambda's or method ref's implementation class. */
    private static String implementationClass(Object function) {
        try {
            Method m = function.getClass().getDeclaredMethod("writeReplace");
            m.setAccessible(true);
            Object r = m.invoke(function);
            if (r instanceof SerializedLambda) {
                return ((SerializedLambda) r).getImplClass().replace('/', '.');
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // not a lambda: the function's own class holds its code
        }
        return function.getClass().getName();
    }

    /** Static fields of snippet classes that {@code start} and the snippet methods it calls refer to. */
    private List<FieldRef> fieldsReadFrom(String start) {
        Set<FieldRef> fields = new LinkedHashSet<>();
        Set<String> seen = new LinkedHashSet<>();
        ArrayDeque<String> todo = new ArrayDeque<>(List.of(start));
        while (!todo.isEmpty()) {
            String cls = todo.poll();
            byte[] bytes = loader.bytecode(cls);
            if (bytes == null || !seen.add(cls)) {
                continue;
            }
            for (String[] ref : memberRefs(bytes)) {
                String owner = ref[1].replace('/', '.');
                if (loader.bytecode(owner) == null) {
                    continue;
                }
                if (ref[0].equals("field")) {
                    if (!owner.equals(start)) {
                        fields.add(new FieldRef(owner, ref[2]));
                    }
                } else {
                    todo.add(owner);
                }
            }
        }
        return List.copyOf(fields);
    }

    /** {kind ("field"|"method"), owner internal name, member name} of each member ref in a class file. */
    static List<String[]> memberRefs(byte[] classFile) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile))) {
            in.readInt();                  // magic
            in.readUnsignedShort();        // minor
            in.readUnsignedShort();        // major
            int count = in.readUnsignedShort();
            int[] tags = new int[count];
            int[] a = new int[count];
            int[] b = new int[count];
            String[] utf8 = new String[count];
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                tags[i] = tag;
                switch (tag) {
                    case 1 -> utf8[i] = in.readUTF();
                    case 3, 4 -> in.readInt();
                    case 5, 6 -> {
                        in.readLong();
                        i++;               // 8-byte constants take two slots
                    }
                    case 7, 8, 16, 19, 20 -> a[i] = in.readUnsignedShort();
                    case 9, 10, 11, 12, 17, 18 -> {
                        a[i] = in.readUnsignedShort();
                        b[i] = in.readUnsignedShort();
                    }
                    case 15 -> {
                        in.readUnsignedByte();
                        a[i] = in.readUnsignedShort();
                    }
                    default -> throw new IOException("unknown constant pool tag " + tag);
                }
            }
            List<String[]> refs = new ArrayList<>();
            for (int i = 1; i < count; i++) {
                if (tags[i] == 9 || tags[i] == 10 || tags[i] == 11) {
                    String owner = utf8[a[a[i]]];
                    String name = utf8[a[b[i]]];
                    refs.add(new String[] {tags[i] == 9 ? "field" : "method", owner, name});
                }
            }
            return refs;
        } catch (IOException e) {
            return List.of();
        }
    }
}
