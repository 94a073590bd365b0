package io.sonde;

import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Classes that exist only in this JVM's memory, as a program run as {@code java Main.java} or a
 * shell snippet has them: compiled from source in memory and defined by a loader that also
 * serves their bytecode as resources, the way the driver's client reads classes it ships to
 * workers. They are on no classpath, so a worker that needs one must fetch it from the driver.
 *
 * <p>Immutable once compiled; the loader is thread-safe.
 */
final class MemoryProgram {
    private final Map<String, byte[]> classes;
    private final ClassLoader loader;

    private MemoryProgram(Map<String, byte[]> classes) {
        this.classes = Map.copyOf(classes);
        this.loader = new Loader(this.classes, MemoryProgram.class.getClassLoader());
    }

    /** Compiles one source file holding the public top-level class {@code className} (binary name). */
    static MemoryProgram compile(String className, String source) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StandardJavaFileManager standard = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8);
        Map<String, ByteArrayOutputStream> output = new ConcurrentHashMap<>();
        JavaFileManager memory = new ForwardingJavaFileManager<>(standard) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location location, String name, JavaFileObject.Kind kind,
                                                       FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("mem:///" + name.replace('.', '/') + kind.extension), kind) {
                    @Override
                    public OutputStream openOutputStream() {
                        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                        output.put(name, bytes);
                        return bytes;
                    }
                };
            }
        };
        JavaFileObject file = new SimpleJavaFileObject(
                URI.create("string:///" + className.replace('.', '/') + JavaFileObject.Kind.SOURCE.extension),
                JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        StringWriter diagnostics = new StringWriter();
        boolean ok = javac.getTask(diagnostics, memory, null,
                List.of("-proc:none", "-classpath", System.getProperty("java.class.path")), null, List.of(file)).call();
        if (!ok) {
            throw new IllegalStateException("the in-memory source of " + className + " does not compile:\n" + diagnostics);
        }
        Map<String, byte[]> classes = new ConcurrentHashMap<>();
        output.forEach((name, bytes) -> classes.put(name, bytes.toByteArray()));
        return new MemoryProgram(classes);
    }

    /** The loader that defines the classes and serves their bytes ({@code getResourceAsStream}). */
    ClassLoader loader() {
        return loader;
    }

    /** The bytecode of one of the classes, to define it somewhere else (on a worker, say). */
    byte[] bytecode(String className) {
        byte[] b = classes.get(className);
        if (b == null) {
            throw new IllegalArgumentException("no in-memory class " + className + "; have " + classes.keySet());
        }
        return b.clone();
    }

    /** A new instance of one of the classes, by its public no-argument constructor. */
    <T> T newInstance(String className, Class<T> type) {
        try {
            return type.cast(Class.forName(className, true, loader).getConstructor().newInstance());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot instantiate in-memory class " + className, e);
        }
    }

    private static final class Loader extends ClassLoader {
        static {
            registerAsParallelCapable();
        }

        private final Map<String, byte[]> classes;

        Loader(Map<String, byte[]> classes, ClassLoader parent) {
            super("memory-program", parent);
            this.classes = classes;
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] b = classes.get(name);
            if (b == null) {
                throw new ClassNotFoundException(name);
            }
            return defineClass(name, b, 0, b.length);
        }

        @Override
        public InputStream getResourceAsStream(String name) {
            if (name.endsWith(".class")) {
                byte[] b = classes.get(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
                if (b != null) {
                    return new ByteArrayInputStream(b);
                }
            }
            return super.getResourceAsStream(name);
        }
    }
}
