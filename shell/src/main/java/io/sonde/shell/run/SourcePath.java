package io.sonde.shell.run;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Writes where a single-file program's source is into its classes, so that a debugger finds it
 * wherever it runs: {@code sonde run /abs/path/Main.java} from any directory, and
 * {@code sonde debug} from any other.
 *
 * <p>A class file names its source by its bare name ({@code Main.java}), and a debugger looks
 * that name up under its source path; a program compiled in memory from another directory was
 * "source not found". JSR-45 lets a class carry a source map (the {@code SourceDebugExtension}
 * attribute, as JSP and Kotlin classes do); JDI answers {@code Location.sourcePath()} from it.
 * The map added here has one stratum, {@code Sonde}, made the class's default, whose one file is
 * the program's absolute path and whose lines are the file's lines one for one: names, line
 * numbers and breakpoints read as before, and stack traces, which use the {@code SourceFile}
 * attribute, do not change.
 */
final class SourcePath {
    private static final String ATTRIBUTE = "SourceDebugExtension";

    private SourcePath() {
    }

    /**
     * The class with a source map naming {@code source} (absolute) for its {@code lines} lines;
     * the class unchanged when it has a source map already or its constant pool is full.
     */
    static byte[] add(byte[] classFile, Path source, int lines) {
        String name = source.getFileName().toString();
        String smap = "SMAP\n" + name + "\nSonde\n*S Sonde\n*F\n+ 1 " + name + "\n"
                + source.toAbsolutePath().normalize().toString().replace('\\', '/') + "\n*L\n1#1,"
                + Math.max(lines, 1) + ":1\n*E\n";
        try {
            return add(classFile, smap);
        } catch (IOException | RuntimeException e) {
            return classFile; // not a class file javac would write: leave it as it is
        }
    }

    private static byte[] add(byte[] classFile, String smap) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(classFile);
        in.position(8);
        int poolCount = in.getShort() & 0xFFFF;
        if (poolCount >= 0xFFFF) {
            return classFile;
        }
        int poolStart = in.position();
        for (int i = 1; i < poolCount; i++) {
            int tag = in.get() & 0xFF;
            switch (tag) {
                case 1 -> {
                    int length = in.getShort() & 0xFFFF;
                    String utf8 = new String(classFile, in.position(), length, java.nio.charset.StandardCharsets.UTF_8);
                    if (utf8.equals(ATTRIBUTE)) {
                        return classFile; // compiled with a source map already
                    }
                    in.position(in.position() + length);
                }
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.position(in.position() + 4);
                case 5, 6 -> {
                    in.position(in.position() + 8);
                    i++; // 8-byte constants take two entries
                }
                case 7, 8, 16, 19, 20 -> in.position(in.position() + 2);
                case 15 -> in.position(in.position() + 3);
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        int poolEnd = in.position();
        in.position(in.position() + 6);                 // access flags, this class, super class
        int interfaces = in.getShort() & 0xFFFF;
        in.position(in.position() + 2 * interfaces);

        skipMembers(in);                                 // fields
        skipMembers(in);                                 // methods
        int attributesAt = in.position();
        int attributes = in.getShort() & 0xFFFF;

        ByteArrayOutputStream bytes = new ByteArrayOutputStream(classFile.length + smap.length() + 64);
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(classFile, 0, 8);
        out.writeShort(poolCount + 1);
        out.write(classFile, poolStart, poolEnd - poolStart);
        out.writeByte(1);                                // the attribute's name, as the new last constant
        out.writeUTF(ATTRIBUTE);
        out.write(classFile, poolEnd, attributesAt - poolEnd);
        out.writeShort(attributes + 1);
        out.write(classFile, attributesAt + 2, classFile.length - attributesAt - 2);
        byte[] debugExtension = modifiedUtf8(smap);
        out.writeShort(poolCount);                       // index of the name just added
        out.writeInt(debugExtension.length);
        out.write(debugExtension);
        out.flush();
        return bytes.toByteArray();
    }

    private static void skipMembers(ByteBuffer in) {
        int count = in.getShort() & 0xFFFF;
        for (int m = 0; m < count; m++) {
            in.position(in.position() + 6);              // access flags, name, descriptor
            int attributes = in.getShort() & 0xFFFF;
            for (int a = 0; a < attributes; a++) {
                in.position(in.position() + 2);
                int length = in.getInt();
                in.position(in.position() + length);
            }
        }
    }

    /** The attribute holds modified UTF-8 without the length {@code writeUTF} puts first. */
    private static byte[] modifiedUtf8(String s) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            new DataOutputStream(bytes).writeUTF(s);
            byte[] withLength = bytes.toByteArray();
            return java.util.Arrays.copyOfRange(withLength, 2, withLength.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
