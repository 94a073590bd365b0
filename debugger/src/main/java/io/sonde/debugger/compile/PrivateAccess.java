package io.sonde.debugger.compile;

import java.nio.ByteBuffer;

/**
 * Opens a class file's private members to javac: clears {@code ACC_PRIVATE} from the class, its
 * fields and methods, and the member classes its {@code InnerClasses} attribute lists. The
 * debugger compiles an expression as a class of the stopped frame's package and defines it as a
 * hidden nestmate of the frame's class ({@code ExpressionHost.define}); the JVM lets nestmates
 * use each other's private members, and javac, which reads these patched copies of the nest's
 * classes, checks the expression as if it were nested code. The copies only feed javac; the
 * worker keeps its classes as they are.
 */
final class PrivateAccess {
    private static final int ACC_PRIVATE = 0x0002;

    private PrivateAccess() {
    }

    /** A copy of {@code classFile} with no private flag; the input unchanged if it cannot be read. */
    static byte[] open(byte[] classFile) {
        byte[] out = classFile.clone();
        try {
            ByteBuffer b = ByteBuffer.wrap(out);
            b.position(8);
            int count = b.getShort() & 0xffff;
            String[] utf8 = new String[count];
            for (int i = 1; i < count; i++) {
                int tag = b.get() & 0xff;
                switch (tag) {
                    case 1 -> {
                        int len = b.getShort() & 0xffff;
                        byte[] s = new byte[len];
                        b.get(s);
                        utf8[i] = new String(s, java.nio.charset.StandardCharsets.UTF_8);
                    }
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> b.position(b.position() + 4);
                    case 5, 6 -> {
                        b.position(b.position() + 8);
                        i++;
                    }
                    case 7, 8, 16, 19, 20 -> b.position(b.position() + 2);
                    case 15 -> b.position(b.position() + 3);
                    default -> {
                        return classFile;
                    }
                }
            }
            clear(b);                                       // the class's flags
            b.position(b.position() + 4);                    // this, super
            int interfaces = b.getShort() & 0xffff;
            b.position(b.position() + 2 * interfaces);
            for (int kind = 0; kind < 2; kind++) {          // fields, then methods
                int members = b.getShort() & 0xffff;
                for (int m = 0; m < members; m++) {
                    clear(b);
                    b.position(b.position() + 4);            // name, descriptor
                    skipAttributes(b);
                }
            }
            int attributes = b.getShort() & 0xffff;
            for (int a = 0; a < attributes; a++) {
                String name = utf8[b.getShort() & 0xffff];
                int len = b.getInt();
                int end = b.position() + len;
                if ("InnerClasses".equals(name)) {
                    int classes = b.getShort() & 0xffff;
                    for (int c = 0; c < classes; c++) {
                        b.position(b.position() + 6);        // inner, outer, name
                        clear(b);
                    }
                }
                b.position(end);
            }
            return out;
        } catch (RuntimeException unreadable) {
            return classFile;
        }
    }

    private static void clear(ByteBuffer b) {
        int at = b.position();
        int flags = b.getShort() & 0xffff;
        b.putShort(at, (short) (flags & ~ACC_PRIVATE));
    }

    private static void skipAttributes(ByteBuffer b) {
        int attributes = b.getShort() & 0xffff;
        for (int a = 0; a < attributes; a++) {
            b.position(b.position() + 2);
            int len = b.getInt();
            b.position(b.position() + len);
        }
    }
}
