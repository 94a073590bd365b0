package io.sonde.shell.repl;

import io.sonde.tooling.DriverClient;
import io.sonde.tooling.RemoteExceptions;
import jdk.jshell.JShell;
import jdk.jshell.VarSnippet;
import jdk.jshell.execution.LoaderDelegate;
import jdk.jshell.execution.LocalExecutionControl;
import jdk.jshell.spi.ExecutionControl.ClassBytecodes;
import jdk.jshell.spi.ExecutionControl.ClassInstallException;
import jdk.jshell.spi.ExecutionControl.EngineTerminationException;
import jdk.jshell.spi.ExecutionControl.InternalException;
import jdk.jshell.spi.ExecutionControl.RunException;
import jdk.jshell.spi.ExecutionControl.UserException;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;
import jdk.jshell.spi.SPIResolutionException;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The classes JShell compiles from snippets, kept by name so that workers can fetch them.
 *
 * <p>JShell's local execution engine defines snippet classes through a {@link LoaderDelegate};
 * this one defines them in a {@link SnippetLoader} that also answers
 * {@code getResourceAsStream("REPL/$JShell$12.class")} with their bytecode. That loader becomes
 * the driver's class source, so a worker's job loader finds a snippet's lambda, record or method
 * the first time a task needs it. Redefined snippets get new class names ({@code $JShell$2B}),
 * so a worker never holds a stale class.
 */
final class SnippetClasses {
    private final SnippetLoader loader = new SnippetLoader(SnippetClasses.class.getClassLoader());
    private final SnippetStatics statics = new SnippetStatics(loader);
    /** {wrapper class, field} of the variable whose value JShell asked the engine for last. */
    private volatile String[] lastVarAsked;

    ExecutionControlProvider executionControlProvider() {
        return new ExecutionControlProvider() {
            @Override
            public String name() {
                return "sonde";
            }

            @Override
            public jdk.jshell.spi.ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
                return new Control();
            }
        };
    }

    /** Makes the running Sonde client serve snippet classes and ship the variables tasks read. */
    void attach() {
        DriverClient client = DriverClient.current();
        client.setClassSource(loader);
        client.setTaskCapture(statics::capture);
    }

    /** Called after every evaluation: variables may have new values, classes may be new. */
    void evaluated() {
        // values are read at each submission; nothing to refresh here
    }

    ClassLoader loader() {
        return loader;
    }

    /**
     * The object a top-level variable holds. JShell only hands out its string form; asking for
     * that ({@link JShell#varValue}) makes the engine name the wrapper class that holds the
     * variable, and the field is read from there.
     */
    Optional<Object> value(JShell jshell, VarSnippet variable) {
        String[] asked;
        synchronized (this) {
            lastVarAsked = null;
            try {
                jshell.varValue(variable);
            } catch (IllegalArgumentException | IllegalStateException e) {
                return Optional.empty();
            }
            asked = lastVarAsked;
        }
        if (asked == null) {
            return Optional.empty();
        }
        try {
            Field f = loader.loadClass(asked[0]).getDeclaredField(asked[1]);
            f.setAccessible(true);
            return Optional.ofNullable(f.get(null));
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * JShell's in-process engine, with two changes: it remembers which class holds a variable
     * whose value is asked for ({@link #value}), and a remote exception that reached the driver
     * as a stand-in ({@link RemoteExceptions}: its class could not be serialized) is reported under its
     * original class name instead of the stand-in's.
     */
    private final class Control extends LocalExecutionControl {
        Control() {
            super(new Delegate());
        }

        @Override
        public String varValue(String className, String varName) throws RunException, EngineTerminationException,
                InternalException {
            lastVarAsked = new String[] {className, varName};
            return super.varValue(className, varName);
        }

        @Override
        protected String throwConvertedInvocationException(Throwable cause) throws RunException, InternalException {
            if (cause instanceof SPIResolutionException || !hasCopy(cause)) {
                return super.throwConvertedInvocationException(cause);
            }
            throw userException(cause, 0);
        }

        private static boolean hasCopy(Throwable t) {
            for (int depth = 0; t != null && depth < 64; t = t.getCause(), depth++) {
                if (RemoteExceptions.isStandIn(t)) {
                    return true;
                }
            }
            return false;
        }

        private static UserException userException(Throwable t, int depth) {
            String type = RemoteExceptions.className(t);
            UserException u = new UserException(String.valueOf(t.getMessage()), type, t.getStackTrace());
            if (t.getCause() != null && t.getCause() != t && depth < 64) {
                u.initCause(userException(t.getCause(), depth + 1));
            }
            return u;
        }
    }

    private final class Delegate implements LoaderDelegate {
        @Override
        public void load(ClassBytecodes[] cbcs) throws ClassInstallException {
            boolean[] installed = new boolean[cbcs.length];
            for (ClassBytecodes c : cbcs) {
                loader.declare(c.name(), c.bytecodes());
            }
            for (int i = 0; i < cbcs.length; i++) {
                try {
                    loader.loadClass(cbcs[i].name());
                    installed[i] = true;
                } catch (ClassNotFoundException | LinkageError e) {
                    throw new ClassInstallException("cannot load snippet class " + cbcs[i].name() + ": " + e, installed);
                }
            }
        }

        @Override
        public void classesRedefined(ClassBytecodes[] cbcs) {
            for (ClassBytecodes c : cbcs) {
                loader.declare(c.name(), c.bytecodes());
            }
        }

        @Override
        public void addToClasspath(String path) {
            for (String p : path.split(File.pathSeparator)) {
                try {
                    loader.addURL(Path.of(p).toUri().toURL());
                } catch (MalformedURLException e) {
                    throw new IllegalArgumentException("not a classpath entry: " + p, e);
                }
            }
        }

        @Override
        public Class<?> findClass(String name) throws ClassNotFoundException {
            return loader.loadClass(name);
        }
    }

    /** Defines snippet classes from their bytecode and serves that bytecode as a resource. */
    static final class SnippetLoader extends URLClassLoader {
        static {
            registerAsParallelCapable();
        }

        private final Map<String, byte[]> bytecode = new ConcurrentHashMap<>();

        SnippetLoader(ClassLoader parent) {
            super("sonde-snippets", new URL[0], parent);
        }

        void declare(String name, byte[] bytes) {
            bytecode.put(name, bytes);
        }

        byte[] bytecode(String name) {
            return bytecode.get(name);
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] b = bytecode.get(name);
            if (b != null) {
                return defineClass(name, b, 0, b.length);
            }
            return super.findClass(name);
        }

        @Override
        public InputStream getResourceAsStream(String name) {
            if (name.endsWith(".class")) {
                byte[] b = bytecode.get(name.substring(0, name.length() - 6).replace('/', '.'));
                if (b != null) {
                    return new ByteArrayInputStream(b);
                }
            }
            return super.getResourceAsStream(name);
        }

        @Override
        public void addURL(URL url) {
            super.addURL(url);
        }
    }
}
