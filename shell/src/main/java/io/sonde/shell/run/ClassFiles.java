package io.sonde.shell.run;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;

/** Reads what a class file's constant pool says about the methods its code calls. */
final class ClassFiles {
    private ClassFiles() {
    }

    /**
     * Whether the class's code refers to method {@code name} of class {@code owner} (internal
     * form, {@code io/sonde/Sonde}), any overload. False for a file that cannot be read.
     */
    static boolean callsMethod(byte[] classFile, String owner, String name) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile))) {
            in.readInt();                            // magic
            in.readUnsignedShort();                  // minor
            in.readUnsignedShort();                  // major
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
                        i++;                         // 8-byte constants take two slots
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
            for (int i = 1; i < count; i++) {
                if (tags[i] == 10 || tags[i] == 11) {    // Methodref, InterfaceMethodref
                    String refOwner = utf8[a[a[i]]];
                    String refName = utf8[a[b[i]]];
                    if (owner.equals(refOwner) && name.equals(refName)) {
                        return true;
                    }
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
