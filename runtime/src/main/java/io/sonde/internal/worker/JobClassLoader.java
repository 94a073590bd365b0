package io.sonde.internal.worker;

import java.util.function.Function;

/**
 * Loads a job's classes in a worker: first from the worker's classpath (the driver's classpath),
 * then, for classes the driver only has in memory — a program run as {@code java Main.java},
 * snippets typed in {@code sonde shell} — by asking the driver for their bytecode.
 *
 * <p>One per worker (a worker serves one job). Parallel capable; each class is fetched once,
 * since a defined class is found by {@link #findLoadedClass} afterwards.
 */
final class JobClassLoader extends ClassLoader {
    static {
        registerAsParallelCapable();
    }

    private final Function<String, byte[]> fetch;

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
        return defineClass(name, bytecode, 0, bytecode.length);
    }
}
