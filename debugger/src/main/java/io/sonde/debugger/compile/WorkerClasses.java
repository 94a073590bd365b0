package io.sonde.debugger.compile;

import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What javac sees of the worker for one compilation: the worker's classpath (the shared standard
 * file manager), the job's in-memory classes (bytecode fetched from the worker when javac first
 * reads one), the classes of the frame's nest with their private members opened
 * ({@link PrivateAccess}), and the output kept in memory.
 */
final class WorkerClasses extends ForwardingJavaFileManager<StandardJavaFileManager> {
    private final Map<String, Supplier<byte[]>> memory;
    private final String nest;
    private final Map<String, ByteArrayOutputStream> output = new LinkedHashMap<>();

    WorkerClasses(StandardJavaFileManager files, Map<String, Supplier<byte[]>> memory, String nest) {
        super(files);
        this.memory = memory;
        this.nest = nest;
    }

    /** The typed text's class as a source file. */
    static JavaFileObject source(String pkg, String className, String text) {
        URI uri = URI.create("string:///" + (pkg.isEmpty() ? "" : pkg.replace('.', '/') + "/") + className + ".java");
        return new SimpleJavaFileObject(uri, JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return text;
            }
        };
    }

    /** The classes javac wrote, by binary name. */
    Map<String, byte[]> output() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        output.forEach((name, bytes) -> out.put(name, bytes.toByteArray()));
        return out;
    }

    private boolean inNest(String binaryName) {
        return binaryName.equals(nest) || binaryName.startsWith(nest + "$");
    }

    /** A class javac reads from bytes this manager supplies. */
    private final class ClassBytes extends SimpleJavaFileObject {
        final String binaryName;
        private final Supplier<byte[]> bytes;

        ClassBytes(String binaryName, Supplier<byte[]> bytes) {
            super(URI.create("worker:///" + binaryName.replace('.', '/') + ".class"), Kind.CLASS);
            this.binaryName = binaryName;
            this.bytes = bytes;
        }

        @Override
        public InputStream openInputStream() {
            byte[] b = bytes.get();
            if (b == null) {
                throw new UncheckedIOException(new IOException("the worker has no bytecode for " + binaryName));
            }
            return new ByteArrayInputStream(inNest(binaryName) ? PrivateAccess.open(b) : b);
        }
    }

    @Override
    public Iterable<JavaFileObject> list(Location location, String packageName, Set<JavaFileObject.Kind> kinds,
                                         boolean recurse) throws IOException {
        Iterable<JavaFileObject> listed = super.list(location, packageName, kinds, recurse);
        if (location != StandardLocation.CLASS_PATH || !kinds.contains(JavaFileObject.Kind.CLASS)) {
            return listed;
        }
        List<JavaFileObject> out = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (JavaFileObject f : listed) {
            String name = super.inferBinaryName(location, f);
            seen.add(name);
            if (name != null && f.getKind() == JavaFileObject.Kind.CLASS && inNest(name)) {
                out.add(new ClassBytes(name, () -> {
                    try (InputStream in = f.openInputStream()) {
                        return in.readAllBytes();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }));
            } else {
                out.add(f);
            }
        }
        String prefix = packageName.isEmpty() ? "" : packageName + ".";
        memory.forEach((name, bytes) -> {
            boolean inPackage = name.startsWith(prefix) && (recurse || name.indexOf('.', prefix.length()) < 0);
            if (inPackage && !seen.contains(name)) {
                out.add(new ClassBytes(name, bytes));
            }
        });
        return out;
    }

    @Override
    public String inferBinaryName(Location location, JavaFileObject file) {
        if (file instanceof ClassBytes c) {
            return c.binaryName;
        }
        return super.inferBinaryName(location, file);
    }

    @Override
    public boolean isSameFile(FileObject a, FileObject b) {
        if (a instanceof ClassBytes || b instanceof ClassBytes) {
            return a == b;
        }
        return super.isSameFile(a, b);
    }

    @Override
    public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                                               FileObject sibling) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        output.put(className, bytes);
        return new SimpleJavaFileObject(URI.create("out:///" + className.replace('.', '/') + kind.extension), kind) {
            @Override
            public OutputStream openOutputStream() {
                return bytes;
            }
        };
    }

    @Override
    public boolean hasLocation(JavaFileManager.Location location) {
        return location == StandardLocation.CLASS_OUTPUT || super.hasLocation(location);
    }
}
