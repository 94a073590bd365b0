package io.sonde.shell.run;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Map;

/**
 * Defines the classes {@code sonde run} compiled from a source file, and serves their bytecode as
 * resources ({@code getResourceAsStream("Main$Counter.class")}). The latter is what lets workers
 * run them: a worker asks the driver for a class it does not have, and the driver answers from its
 * class source, which {@code sonde run} sets to this loader.
 */
final class MemoryClassLoader extends ClassLoader {
    static {
        registerAsParallelCapable();
    }

    private final Map<String, byte[]> classes;

    /** @param classes binary class name ({@code p.Main$Counter}) to class file */
    MemoryClassLoader(Map<String, byte[]> classes, ClassLoader parent) {
        super(parent);
        this.classes = Map.copyOf(classes);
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
