package io.sonde.shell.repl;

import io.sonde.internal.SondeRuntime;
import io.sonde.internal.client.CoreClient;
import jdk.jshell.execution.LoaderDelegate;
import jdk.jshell.execution.LocalExecutionControl;
import jdk.jshell.spi.ExecutionControl.ClassBytecodes;
import jdk.jshell.spi.ExecutionControl.ClassInstallException;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Map;
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

    ExecutionControlProvider executionControlProvider() {
        return new ExecutionControlProvider() {
            @Override
            public String name() {
                return "sonde";
            }

            @Override
            public jdk.jshell.spi.ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
                return new LocalExecutionControl(new Delegate());
            }
        };
    }

    /** Makes the running Sonde client serve snippet classes and ship the variables tasks read. */
    void attach() {
        CoreClient client = SondeRuntime.client();
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
