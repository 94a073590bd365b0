package io.sonde.internal.worker;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Loads a job's classes in a worker: first from the worker's classpath (the driver's classpath),
 * then, for classes the driver only has in memory — a program run as {@code java Main.java},
 * snippets typed in {@code sonde shell} — by asking the driver for their bytecode.
 *
 * <p>One per worker (a worker serves one job). Parallel capable; each class is fetched once,
 * since a defined class is found by {@link #findLoadedClass} afterwards. The bytecode of the
 * classes it defined stays readable as their {@code .class} resource, as a class of the classpath
 * is, as are those of the job's classes it has not loaded yet (asked of the driver): the debugger
 * compiles expressions against them.
 */
final class JobClassLoader extends ClassLoader {
    static {
        registerAsParallelCapable();
    }

    private final Function<String, byte[]> fetch;
    /** The bytecode of the classes this loader defined, by resource name ({@code REPL/$JShell$7.class}). */
    private final Map<String, byte[]> defined = new ConcurrentHashMap<>();

    JobClassLoader(ClassLoader parent, Function<String, byte[]> fetch) {
        super("sonde-job", parent);
        this.fetch = fetch;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        // the JDK and Sonde's own runtime are on every worker's classpath: never ask the driver for them
        if (name.startsWith("java.") || name.startsWith("io.sonde.internal.") || name.startsWith("io.sonde.proto.")) {
            throw new ClassNotFoundException(name);
        }
        byte[] bytecode = fetch.apply(name);
        if (bytecode == null) {
            throw new ClassNotFoundException(name + " is neither on the worker's classpath nor known to the driver;"
                    + " start the driver with the jar or directory that holds it on its classpath");
        }
        Class<?> c = defineClass(name, bytecode, 0, bytecode.length);
        defined.put(name.replace('.', '/') + ".class", bytecode);
        return c;
    }

    @Override
    public InputStream getResourceAsStream(String name) {
        InputStream in = super.getResourceAsStream(name);
        if (in != null) {
            return in;
        }
        byte[] bytecode = defined.get(name);
        if (bytecode == null && name.endsWith(".class") && !name.startsWith("java/") && !name.startsWith("io/sonde/internal/")) {
            // a class of the job's that this worker has not loaded: the driver has it
            bytecode = fetch.apply(name.substring(0, name.length() - 6).replace('/', '.'));
        }
        return bytecode == null ? null : new ByteArrayInputStream(bytecode);
    }
}
