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
import jdk.jshell.spi.ExecutionControl.StoppedException;
import jdk.jshell.spi.ExecutionControl.UserException;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;
import jdk.jshell.spi.SPIResolutionException;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

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
    /** While {@link #value} asks JShell for a variable only to learn which class holds it. */
    private volatile boolean naming;
    /** Ctrl-C came for the snippet being evaluated; see {@link #requestStop}. */
    private volatile boolean stopRequested;
    /** The snippet evaluated last was stopped. */
    private volatile boolean stopped;

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
     * variable, and the field is read from there. While it names the class the engine makes no
     * text of the value: a value's {@code toString()} may be slow, or have effects.
     */
    Optional<Object> value(JShell jshell, VarSnippet variable) {
        String[] asked;
        synchronized (this) {
            lastVarAsked = null;
            naming = true;
            try {
                jshell.varValue(variable);
            } catch (IllegalArgumentException | IllegalStateException e) {
                return Optional.empty();
            } finally {
                naming = false;
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
     * Ctrl-C: stops the snippet running now, or, when its code has not started yet (JShell is
     * still compiling it), makes it stop before it starts. {@link #beforeEval} forgets the request.
     */
    void requestStop() {
        stopRequested = true;
    }

    /** A new snippet is evaluated: a Ctrl-C of the previous one does not stop it. */
    void beforeEval() {
        stopRequested = false;
        stopped = false;
    }

    /** Whether the snippet evaluated last was stopped (Ctrl-C) rather than ending by itself. */
    boolean stopped() {
        return stopped;
    }

    /**
     * JShell's in-process engine, with these changes:
     * <ul>
     *   <li>Ctrl-C ({@link #stop}) stops the snippet's thread only, where JShell's engine stops
     *       every thread of the snippet's thread group: those include the Sonde threads that the
     *       snippet's calls happened to start (a gRPC transport thread, and the threads it starts
     *       in turn, such as the node's copiers of a new worker's output), which died, or kept a
     *       stop that landed once their blocking read returned;
     *   <li>whether the snippet was stopped, and its value, come from the snippet's own thread
     *       ({@link SnippetCall}). JShell's engine learns of a stop through a default
     *       uncaught-exception handler that it sets for the whole JVM at each evaluation: a stop
     *       landing in any other thread during a snippet (such as a late one from an earlier
     *       Ctrl-C) made that snippet "stopped", and JShell then dropped its value
     *       ({@code $2 ==> null});
     *   <li>a {@code ThreadDeath} that no Ctrl-C caused (the snippet threw it) is reported as the
     *       exception it is, not as a stop that leaves no value and says nothing;
     *   <li>the text of a value is Sonde's bounded {@link ValuePreview}, made on the thread that
     *       ran the snippet, instead of JShell's, which grows with the value and is made on the
     *       evaluating thread, where Ctrl-C cannot reach it;
     *   <li>a stop requested before the snippet's code started stops it before it starts;
     *   <li>it remembers which class holds a variable whose value is asked for ({@link #value});
     *   <li>a remote exception that reached the driver as a stand-in ({@link RemoteExceptions}:
     *       its class could not be serialized) is reported under its original class name instead of
     *       the stand-in's.
     * </ul>
     */
    private final class Control extends LocalExecutionControl {
        Control() {
            super(new Delegate());
        }

        /** The snippet being evaluated; null between snippets. */
        private volatile SnippetCall running;

        @Override
        protected String invoke(Method doit) throws Exception {
            if (stopRequested) {
                stopped = true;
                throw new StoppedException();
            }
            SnippetCall call = new SnippetCall(doit, () -> stopRequested);
            running = call;
            SnippetCall.CURRENT.set(call);
            try {
                super.invoke(SnippetCall.RUN); // runs the snippet as JShell does: on a thread of its own
            } catch (Exception e) {
                // JShell's engine also reports what any other thread died of while the snippet ran
                // (a stop, say): once the snippet's thread has ended, it alone says what the snippet did
                if (call.ended) {
                    // what the snippet did is in call
                } else if (e instanceof StoppedException) {
                    call.thrown = new ThreadDeath();
                } else {
                    throw e;
                }
            } finally {
                SnippetCall.CURRENT.remove();
                running = null;
            }
            Throwable thrown = call.thrown;
            if (thrown == null) {
                return call.preview;
            }
            if (thrown instanceof ThreadDeath && stopRequested) {
                stopped = true;
                throw new StoppedException();
            }
            throw new InvocationTargetException(thrown);
        }

        /**
         * Ctrl-C ({@link JShell#stop}, after {@link #requestStop}): stops the snippet's thread as
         * {@code Thread.stop} does; a snippet whose code has not started yet stops as it starts.
         * Other threads are left alone, whichever thread started them. Where the JDK no longer has
         * {@code Thread.stop}, JShell's own stop does the work.
         */
        @Override
        public void stop() throws EngineTerminationException, InternalException {
            SnippetCall call = running;
            if (call == null) {
                return;
            }
            try {
                call.stop();
            } catch (UnsupportedOperationException e) {
                super.stop(); // JDK 20 and later: JShell's engine stops snippet code at its loops
            }
        }

        @Override
        public String varValue(String className, String varName) throws RunException, EngineTerminationException,
                InternalException {
            lastVarAsked = new String[] {className, varName};
            if (naming) {
                return "";
            }
            Object value;
            try {
                Field f = findClass(className).getDeclaredField(varName);
                f.setAccessible(true);
                value = f.get(null);
            } catch (Throwable t) {
                throw new InternalException(t.toString());
            }
            try {
                clientCodeEnter();
                return ValuePreview.of(value);
            } catch (Throwable t) {
                return throwConvertedInvocationException(t);
            } finally {
                clientCodeLeave();
            }
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

    /**
     * One run of a snippet's {@code do_it$} method: the text of its value, or what it threw.
     * {@link LocalExecutionControl} runs the method it is given on a thread of its own and makes
     * JShell's text of the value afterwards on the evaluating thread. It is given {@link #run}
     * instead: that calls the snippet's method and makes the preview on the snippet's thread
     * (where Ctrl-C reaches a {@code toString()} that does not end), keeps what the snippet threw,
     * and returns null, whose text costs nothing. {@code run} is static (the engine calls it as it
     * calls {@code do_it$}), so it finds its call through an inheritable thread-local: the
     * snippet's thread is made by the thread that set it.
     */
    static final class SnippetCall {
        static final InheritableThreadLocal<SnippetCall> CURRENT = new InheritableThreadLocal<>();
        static final Method RUN;

        static {
            try {
                RUN = SnippetCall.class.getDeclaredMethod("run");
                RUN.setAccessible(true);
            } catch (NoSuchMethodException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final Method doit;
        private final BooleanSupplier stopRequested;
        /** The snippet's thread, once it runs; guarded by this. */
        private Thread thread;
        private volatile String preview;
        private volatile Throwable thrown;
        /** {@link #run} has ended: {@link #preview} or {@link #thrown} is what the snippet did. */
        private volatile boolean ended;

        SnippetCall(Method doit, BooleanSupplier stopRequested) {
            this.doit = doit;
            this.stopRequested = stopRequested;
        }

        /** Called by the engine on the snippet's thread; keeps what the snippet threw. */
        static Object run() {
            SnippetCall call = CURRENT.get();
            try {
                synchronized (call) {
                    call.thread = Thread.currentThread();
                }
                if (call.stopRequested.getAsBoolean()) {
                    throw new ThreadDeath(); // Ctrl-C came before the thread could be stopped
                }
                Object value;
                try {
                    value = call.doit.invoke(null);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
                call.preview = ValuePreview.of(value);
            } catch (Throwable t) {
                call.thrown = t;
            } finally {
                call.ended = true;
            }
            return null;
        }

        /** Stops the snippet's thread, if it has started. */
        @SuppressWarnings("deprecation") // Thread.stop is how JShell stops a snippet on JDK 17
        synchronized void stop() {
            if (thread != null && !ended) {
                thread.stop();
            }
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
