package io.sonde.debugger.plugin;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;

/**
 * The worker's side of the debugger's compiled expressions, called by the debugger over JDI on
 * the stopped task's thread (by name: keep the names and signatures).
 * <ul>
 *   <li>{@link #define}: defines the class that javac made of an expression as a hidden class in
 *       the nest of the stopped frame's class, so that it reads private members of that class as
 *       nested code does, and is unloaded when the debugger lets it go;</li>
 *   <li>{@link #classBytes}: the bytecode of a class as its loader sees it, for javac in the
 *       debugger, which compiles against the worker's classes (a job's in-memory classes too).</li>
 * </ul>
 */
public final class ExpressionHost {
    /** Thrown into the task's thread when the user interrupts an evaluation (Ctrl-C); read by name. */
    public static final RuntimeException INTERRUPTED =
            new IllegalStateException("the evaluation was interrupted (Ctrl-C); the task is still stopped");

    /**
     * Set by the debugger just before it stops an evaluation (Ctrl-C): the stop leaves the
     * thread interrupted, which the park then takes for the debugger's, not for a cancel.
     */
    public static volatile boolean stopping;

    private ExpressionHost() {
    }

    /**
     * Defines {@code bytes}, a class of {@code host}'s package, as a hidden nestmate of {@code host}.
     * Throws what the JVM throws if the bytes are refused (the debugger reports it and falls back).
     */
    public static Class<?> define(Class<?> host, byte[] bytes) throws IllegalAccessException {
        MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(host, MethodHandles.lookup());
        return lookup.defineHiddenClass(bytes, true, MethodHandles.Lookup.ClassOption.NESTMATE).lookupClass();
    }

    /**
     * Defines {@code bytes} as an ordinary class of {@code host}'s loader and package: the classes
     * an expression's anonymous classes compile to, which its hidden class refers to by name.
     */
    public static Class<?> defineNamed(Class<?> host, byte[] bytes) throws IllegalAccessException {
        return MethodHandles.privateLookupIn(host, MethodHandles.lookup()).defineClass(bytes);
    }

    /** The bytecode of class {@code name} as {@code loader} finds it (a resource), or null if it has none. */
    public static byte[] classBytes(ClassLoader loader, String name) throws IOException {
        String resource = name.replace('.', '/') + ".class";
        try (InputStream in = loader == null ? ClassLoader.getSystemResourceAsStream(resource)
                : loader.getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    /** Loads the class in the worker, so that a debugger finds it before first use. */
    static void load() {
        // nothing to do: calling this initializes the class
    }
}
