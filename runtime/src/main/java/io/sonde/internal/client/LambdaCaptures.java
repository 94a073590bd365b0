package io.sonde.internal.client;

import io.sonde.internal.serialization.SerializationException;
import io.sonde.internal.serialization.Serializer;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandleInfo;
import java.lang.invoke.SerializedLambda;
import java.util.Optional;

/**
 * Says which captured value keeps a lambda or method reference from being sent to a worker, in
 * the words of the source: the variable's name (or its position when the class file does not
 * keep names), its type, and where the lambda is written.
 *
 * <p>Java serialization reports a lambda as its hidden class ({@code Main$$Lambda$317/0x...})
 * plus a {@link SerializedLambda} dump. The dump does say what was captured, by position: the
 * captured values are the first parameters of the lambda's implementation method (after
 * {@code this} for an instance method), so that method's local variable table names them and its
 * line table gives the source line. The shell does the same for snippets from their bytecode.
 *
 * <p>Stateless; called only on the failure path of a submission.
 */
final class LambdaCaptures {
    private LambdaCaptures() {
    }

    /** Why {@code lambda} cannot be serialized, or empty if none of its captured values is the cause. */
    static Optional<String> explain(Object fn, SerializedLambda lambda) {
        int culprit = -1;
        Object value = null;
        for (int i = 0; i < lambda.getCapturedArgCount() && culprit < 0; i++) {
            Object arg = lambda.getCapturedArg(i);
            try {
                Serializer.encode(arg);
            } catch (SerializationException e) {
                culprit = i;
                value = arg;
            }
        }
        if (culprit < 0) {
            return Optional.empty();
        }
        String implClass = lambda.getImplClass().replace('/', '.');
        String implMethod = lambda.getImplMethodName();
        boolean isLambda = implMethod.startsWith("lambda$");
        int kind = lambda.getImplMethodKind();
        boolean receiverCaptured = kind == MethodHandleInfo.REF_invokeVirtual || kind == MethodHandleInfo.REF_invokeInterface
                || kind == MethodHandleInfo.REF_invokeSpecial;
        Method method = Method.read(fn.getClass().getClassLoader(), lambda.getImplClass(), implMethod,
                lambda.getImplMethodSignature());

        String where;
        if (isLambda) {
            String file = method.sourceFile().isEmpty() ? FunctionDescriber.simpleName(implClass) + ".java"
                    : method.sourceFile();
            where = "the lambda at " + file + (method.firstLine() > 0 ? ":" + method.firstLine() : "")
                    + " (in " + implClass + "." + enclosingMethod(implMethod) + ")";
        } else {
            where = "the method reference " + FunctionDescriber.simpleName(implClass) + "::"
                    + (implMethod.equals("<init>") ? "new" : implMethod);
        }

        String what;
        if (receiverCaptured && culprit == 0) {
            what = isLambda
                    ? "captures this, the enclosing " + implClass + " instance (the lambda uses one of its fields or"
                    + " methods)"
                    : "is bound to its receiver";
        } else {
            int param = receiverCaptured ? culprit - 1 : culprit;
            int slot = receiverCaptured || kind == MethodHandleInfo.REF_newInvokeSpecial ? 1 : 0;
            String descriptor = lambda.getImplMethodSignature();
            int at = 1;
            for (int p = 0; p < param; p++) {
                char c = descriptor.charAt(at);
                slot += c == 'J' || c == 'D' ? 2 : 1;
                at = nextType(descriptor, at);
            }
            String name = method.variableAt(slot, param);
            what = name.isEmpty()
                    ? "captures a variable at position " + (culprit + 1) + " of its captured values (the class file"
                    + " does not keep local variable names; compile with -g to see it)"
                    : "captures '" + name + "'";
        }
        String type = value.getClass().getName();
        return Optional.of(where + " " + what + ", a " + type + ", which is not Serializable. Create the value"
                + " inside the lambda, capture only the serializable data it needs, or make " + type
                + " implement java.io.Serializable");
    }

    /**
     * The method a lambda is written in, from its implementation method's name: javac names it
     * {@code lambda$main$0}, or {@code lambda$main$4e65f7d8$1} when the lambda is serializable;
     * {@code new} and {@code static} stand for a constructor and a static initializer.
     */
    private static String enclosingMethod(String implMethod) {
        String[] parts = implMethod.split("\\$");
        String m = parts.length > 1 ? parts[1] : implMethod;
        return m.equals("new") ? "<init>" : m.equals("static") ? "<clinit>" : m;
    }

    /** The index just past the field type that starts at {@code at} in a method descriptor. */
    private static int nextType(String descriptor, int at) {
        while (descriptor.charAt(at) == '[') {
            at++;
        }
        return descriptor.charAt(at) == 'L' ? descriptor.indexOf(';', at) + 1 : at + 1;
    }

    /**
     * What the class file says about one method: its first source line, the names of its local
     * variables that are live from its start (its parameters), and the names in its
     * MethodParameters attribute. Empty values when the class bytes cannot be read.
     */
    private record Method(String sourceFile, int firstLine, java.util.Map<Integer, String> locals,
                          java.util.List<String> parameters) {
        private static final Method UNKNOWN = new Method("", 0, java.util.Map.of(), java.util.List.of());

        String variableAt(int slot, int param) {
            String name = locals.get(slot);
            if (name == null && param < parameters.size()) {
                name = parameters.get(param);
            }
            return name == null ? "" : name;
        }

        static Method read(ClassLoader loader, String internalName, String name, String descriptor) {
            if (loader == null) {
                loader = ClassLoader.getSystemClassLoader();
            }
            try (InputStream in = loader.getResourceAsStream(internalName + ".class")) {
                return in == null ? UNKNOWN : parse(in.readAllBytes(), name, descriptor);
            } catch (IOException | RuntimeException e) {
                return UNKNOWN; // the message then says less, but still names the type
            }
        }

        private static Method parse(byte[] bytes, String name, String descriptor) throws IOException {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            in.readInt(); // magic
            in.readUnsignedShort();
            in.readUnsignedShort();
            int count = in.readUnsignedShort();
            String[] utf8 = new String[count];
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> utf8[i] = in.readUTF();
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipBytes(4);
                    case 5, 6 -> {
                        in.skipBytes(8);
                        i++;
                    }
                    case 7, 8, 16, 19, 20 -> in.skipBytes(2);
                    case 15 -> in.skipBytes(3);
                    default -> throw new IOException("constant pool tag " + tag);
                }
            }
            in.skipBytes(6); // access, this, super
            in.skipBytes(2 * in.readUnsignedShort());
            int fields = in.readUnsignedShort();
            for (int i = 0; i < fields; i++) {
                in.skipBytes(6);
                skipAttributes(in);
            }
            Method found = UNKNOWN;
            int methods = in.readUnsignedShort();
            for (int i = 0; i < methods; i++) {
                in.skipBytes(2);
                String n = utf8[in.readUnsignedShort()];
                String d = utf8[in.readUnsignedShort()];
                boolean match = n.equals(name) && d.equals(descriptor);
                int line = 0;
                java.util.Map<Integer, String> locals = new java.util.HashMap<>();
                java.util.List<String> params = new java.util.ArrayList<>();
                int attributes = in.readUnsignedShort();
                for (int a = 0; a < attributes; a++) {
                    String attr = utf8[in.readUnsignedShort()];
                    int length = in.readInt();
                    if (!match) {
                        in.skipBytes(length);
                    } else if (attr.equals("Code")) {
                        in.skipBytes(4);
                        in.skipBytes(in.readInt());
                        in.skipBytes(8 * in.readUnsignedShort());
                        int codeAttributes = in.readUnsignedShort();
                        for (int c = 0; c < codeAttributes; c++) {
                            String ca = utf8[in.readUnsignedShort()];
                            int caLength = in.readInt();
                            if (ca.equals("LineNumberTable")) {
                                int lines = in.readUnsignedShort();
                                for (int l = 0; l < lines; l++) {
                                    in.skipBytes(2);
                                    int number = in.readUnsignedShort();
                                    line = line == 0 ? number : Math.min(line, number);
                                }
                            } else if (ca.equals("LocalVariableTable")) {
                                int vars = in.readUnsignedShort();
                                for (int v = 0; v < vars; v++) {
                                    int start = in.readUnsignedShort();
                                    in.skipBytes(2);
                                    String varName = utf8[in.readUnsignedShort()];
                                    in.skipBytes(2);
                                    int index = in.readUnsignedShort();
                                    if (start == 0) {
                                        locals.put(index, varName);
                                    }
                                }
                            } else {
                                in.skipBytes(caLength);
                            }
                        }
                    } else if (attr.equals("MethodParameters")) {
                        int n2 = in.readUnsignedByte();
                        for (int p = 0; p < n2; p++) {
                            int index = in.readUnsignedShort();
                            in.skipBytes(2);
                            params.add(index == 0 ? "" : utf8[index]);
                        }
                    } else {
                        in.skipBytes(length);
                    }
                }
                if (match) {
                    found = new Method("", line, locals, params);
                }
            }
            int attributes = in.readUnsignedShort();
            for (int a = 0; a < attributes; a++) {
                String attr = utf8[in.readUnsignedShort()];
                int length = in.readInt();
                if (attr.equals("SourceFile")) {
                    return new Method(utf8[in.readUnsignedShort()], found.firstLine(), found.locals(),
                            found.parameters());
                }
                in.skipBytes(length);
            }
            return found;
        }

        private static void skipAttributes(DataInputStream in) throws IOException {
            int attributes = in.readUnsignedShort();
            for (int a = 0; a < attributes; a++) {
                in.skipBytes(2);
                in.skipBytes(in.readInt());
            }
        }
    }
}
