package io.sonde.shell.repl;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough of the class file format to tell which static fields a method reads and which
 * methods it calls: the constant pool, and each method's bytecode walked instruction by
 * instruction. Snippet classes are small; they are parsed whole.
 */
public final class ClassFileReader {
    /** A field or method reference: owner in internal form ({@code REPL/$JShell$11}), name, descriptor. */
    record MemberRef(String owner, String name, String descriptor) {
    }

    /** What one method's code refers to. */
    record MethodRefs(List<MemberRef> staticReads, List<MemberRef> calls, boolean makesLambdas) {
    }

    private static final int GETSTATIC = 0xB2;
    private static final int INVOKEVIRTUAL = 0xB6;
    private static final int INVOKESPECIAL = 0xB7;
    private static final int INVOKESTATIC = 0xB8;
    private static final int INVOKEINTERFACE = 0xB9;
    private static final int INVOKEDYNAMIC = 0xBA;

    private final String[] utf8;
    private final int[] a;
    private final int[] b;
    /** "name descriptor" → that method's references. */
    private final Map<String, MethodRefs> methods = new LinkedHashMap<>();

    public ClassFileReader(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
        in.readInt();
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        utf8 = new String[count];
        a = new int[count];
        b = new int[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
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
        in.readUnsignedShort();                              // access flags
        in.readUnsignedShort();                              // this
        in.readUnsignedShort();                              // super
        in.skipBytes(2 * in.readUnsignedShort());            // interfaces
        int fields = in.readUnsignedShort();
        for (int i = 0; i < fields; i++) {
            in.skipBytes(6);
            skipAttributes(in);
        }
        int methodCount = in.readUnsignedShort();
        for (int i = 0; i < methodCount; i++) {
            in.readUnsignedShort();
            String name = utf8[in.readUnsignedShort()];
            String descriptor = utf8[in.readUnsignedShort()];
            int attributes = in.readUnsignedShort();
            MethodRefs refs = new MethodRefs(List.of(), List.of(), false);
            for (int j = 0; j < attributes; j++) {
                String attribute = utf8[in.readUnsignedShort()];
                int length = in.readInt();
                if (attribute.equals("Code")) {
                    in.readUnsignedShort();
                    in.readUnsignedShort();
                    byte[] code = new byte[in.readInt()];
                    in.readFully(code);
                    refs = scan(code);
                    in.skipBytes(length - 8 - code.length);
                } else {
                    in.skipBytes(length);
                }
            }
            methods.put(name + " " + descriptor, refs);
        }
    }

    /**
     * Whether any method of the class calls method {@code name} of {@code owner} (internal form,
     * {@code io/sonde/Sonde}), any overload. False for a class file that cannot be read.
     */
    public static boolean callsMethod(byte[] classFile, String owner, String name) {
        try {
            return new ClassFileReader(classFile).methods.values().stream().flatMap(m -> m.calls().stream())
                    .anyMatch(c -> c.owner().equals(owner) && c.name().equals(name));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The references of a method, or null when the class has no such method. */
    MethodRefs method(String name, String descriptor) {
        return methods.get(name + " " + descriptor);
    }

    /** Names and descriptors ("name descriptor") of the class's synthetic lambda bodies. */
    List<String> lambdaBodies() {
        return methods.keySet().stream().filter(k -> k.startsWith("lambda$")).toList();
    }

    /** All methods, "name descriptor" → references. */
    Map<String, MethodRefs> methods() {
        return methods;
    }

    private MethodRefs scan(byte[] code) {
        List<MemberRef> reads = new ArrayList<>();
        List<MemberRef> calls = new ArrayList<>();
        boolean lambdas = false;
        int pc = 0;
        while (pc < code.length) {
            int op = code[pc] & 0xFF;
            switch (op) {
                case GETSTATIC -> reads.add(member(u2(code, pc + 1)));
                case INVOKEVIRTUAL, INVOKESPECIAL, INVOKESTATIC, INVOKEINTERFACE -> calls.add(member(u2(code, pc + 1)));
                case INVOKEDYNAMIC -> lambdas = true;
                default -> {
                }
            }
            pc += length(code, pc);
        }
        return new MethodRefs(reads, calls, lambdas);
    }

    private MemberRef member(int index) {
        String owner = utf8[a[a[index]]];
        int nameAndType = b[index];
        return new MemberRef(owner, utf8[a[nameAndType]], utf8[b[nameAndType]]);
    }

    private static int u2(byte[] code, int at) {
        return ((code[at] & 0xFF) << 8) | (code[at + 1] & 0xFF);
    }

    private static int s4(byte[] code, int at) {
        return ((code[at] & 0xFF) << 24) | ((code[at + 1] & 0xFF) << 16) | ((code[at + 2] & 0xFF) << 8) | (code[at + 3] & 0xFF);
    }

    /** Length in bytes of the instruction at {@code pc}, operands included (JVMS chapter 6). */
    static int length(byte[] code, int pc) {
        int op = code[pc] & 0xFF;
        if (op == 0xAA || op == 0xAB) {                       // tableswitch, lookupswitch
            int at = (pc + 4) & ~3;                           // operands start 4-byte aligned
            if (op == 0xAA) {
                int low = s4(code, at + 4);
                int high = s4(code, at + 8);
                return at - pc + 12 + 4 * (high - low + 1);
            }
            return at - pc + 8 + 8 * s4(code, at + 4);
        }
        if (op == 0xC4) {                                     // wide
            return (code[pc + 1] & 0xFF) == 0x84 ? 6 : 4;
        }
        if (op == 0x10 || op == 0x12 || (op >= 0x15 && op <= 0x19) || (op >= 0x36 && op <= 0x3A) || op == 0xA9
                || op == 0xBC) {
            return 2;
        }
        if (op == 0x11 || op == 0x13 || op == 0x14 || op == 0x84 || (op >= 0x99 && op <= 0xA8)
                || (op >= 0xB2 && op <= 0xB8) || op == 0xBB || op == 0xBD || op == 0xC0 || op == 0xC1
                || op == 0xC6 || op == 0xC7) {
            return 3;
        }
        if (op == 0xC5) {
            return 4;
        }
        if (op == 0xB9 || op == 0xBA || op == 0xC8 || op == 0xC9) {
            return 5;
        }
        return 1;
    }

    private static void skipAttributes(DataInputStream in) throws IOException {
        int n = in.readUnsignedShort();
        for (int i = 0; i < n; i++) {
            in.readUnsignedShort();
            in.skipBytes(in.readInt());
        }
    }
}
