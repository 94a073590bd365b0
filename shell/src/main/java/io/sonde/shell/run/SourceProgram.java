package io.sonde.shell.run;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TaskEvent;
import com.sun.source.util.TaskListener;
import io.sonde.InitOptions;
import io.sonde.Sonde;
import io.sonde.SondeException;
import io.sonde.tooling.DriverClient;

import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code sonde run Main.java}: a single-file program run as {@code java Main.java} runs it —
 * compiled in memory, the first top-level class's {@code public static void main(String[])} called
 * with the arguments — plus what Sonde needs: the program's classes are served to workers, and the
 * program runs with a cluster.
 *
 * <p>Who starts Sonde: a program that calls {@code Sonde.init} itself (as every program written
 * for {@code java} does) starts or joins its cluster exactly as it would under {@code java}; its
 * classes reach workers because {@code Sonde.init} takes the class source from its caller's class
 * loader, which is the loader this class defines the program in. For any other program,
 * {@code sonde run} initializes Sonde before {@code main} (embedded, or {@code --address} /
 * {@code SONDE_ADDRESS}) and makes the program's loader the class source. Either way Sonde is shut
 * down when the program ends.
 *
 * <p>As with {@code java}, the program ends when {@code main} has returned and the threads it
 * started that are not daemons have ended.
 *
 * <p>The program's classes carry the absolute path of its file ({@link SourcePath}), so that
 * {@code sonde debug} shows its source whatever directory either was started in.
 */
public final class SourceProgram {
    private final Path file;
    private final List<String> args;
    private final InitOptions cluster;
    private final boolean clusterOptionsGiven;
    private final PrintStream err = System.err;

    /**
     * @param cluster             how to start or join the cluster when {@code sonde run} starts it
     * @param clusterOptionsGiven whether the command line chose the cluster ({@code --address},
     *                            {@code --num-cpus}, {@code --memory}, the object store's options): an error for a
     *                            program that chooses its own
     */
    public SourceProgram(Path file, List<String> args, InitOptions cluster, boolean clusterOptionsGiven) {
        this.file = file;
        this.args = args;
        this.cluster = cluster;
        this.clusterOptionsGiven = clusterOptionsGiven;
    }

    public int run() {
        Compiled program = compile();
        if (program == null) {
            err.println("error: compilation failed");
            err.flush();
            return 1;
        }
        MemoryClassLoader loader = new MemoryClassLoader(program.classes(), SourceProgram.class.getClassLoader());
        Method main;
        try {
            main = mainMethod(Class.forName(program.mainClass(), false, loader));
        } catch (ClassNotFoundException | LinkageError e) {
            err.println("error: can't load class " + program.mainClass() + ": " + e);
            return 1;
        }
        if (main == null) {
            err.println("error: can't find main(String[]) method in class: " + program.mainClass());
            return 1;
        }
        boolean initsItself = program.classes().values().stream()
                .anyMatch(b -> io.sonde.shell.repl.ClassFileReader.callsMethod(b, "io/sonde/Sonde", "init"));
        if (initsItself && clusterOptionsGiven) {
            err.println("sonde run: " + file + " calls Sonde.init itself, so it chooses its cluster: --address,"
                    + " --num-cpus, --memory and the object store's options cannot apply. Pass them to Sonde.init (or set SONDE_ADDRESS), or remove the"
                    + " Sonde.init call to let `sonde run` start Sonde for the program.");
            return 2;
        }
        if (!initsItself) {
            try {
                Sonde.init(cluster);
            } catch (SondeException | IllegalArgumentException e) {
                err.println("sonde run: " + e.getMessage());
                return e instanceof IllegalArgumentException ? 2 : 1;   // a malformed address is a usage error
            }
            DriverClient.current().setClassSource(loader);
        }
        Thread current = Thread.currentThread();
        ClassLoader previous = current.getContextClassLoader();
        Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        current.setContextClassLoader(loader);
        try {
            main.invoke(null, (Object) args.toArray(new String[0]));
            awaitProgramThreads(before);
            return 0;
        } catch (InvocationTargetException e) {
            printUncaught(e.getCause(), main);
            return 1;
        } catch (IllegalAccessException e) {
            err.println("error: can't call " + program.mainClass() + ".main: " + e.getMessage());
            return 1;
        } finally {
            current.setContextClassLoader(previous);
            Sonde.shutdown();
            System.out.flush();
            err.flush();
        }
    }

    private record Compiled(String mainClass, Map<String, byte[]> classes) {
    }

    /** Compiles the file as the source launcher does; prints diagnostics as javac does and returns null on errors. */
    private Compiled compile() {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            err.println("sonde run: compiling " + file + " needs a JDK, but this Java (" + System.getProperty("java.home")
                    + ") has no compiler; run Sonde with a JDK 17.");
            return null;
        }
        StandardJavaFileManager standard = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8);
        Map<String, ByteArrayOutputStream> output = new ConcurrentHashMap<>();
        JavaFileManager memory = new ForwardingJavaFileManager<>(standard) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                                                       FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension), kind) {
                    @Override
                    public OutputStream openOutputStream() {
                        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                        output.put(className, bytes);
                        return bytes;
                    }
                };
            }
        };
        // The source launcher's options, plus -g so that the debugger sees local variables by name;
        // the class path is the one Sonde runs with.
        List<String> options = List.of("-g", "-proc:none", "-Xdiags:verbose", "-Xlint:deprecation",
                "-classpath", System.getProperty("java.class.path"), "-sourcepath", "");
        PrintWriter diagnostics = new PrintWriter(err, true);
        JavacTask task = (JavacTask) javac.getTask(diagnostics, memory, null, options, null,
                standard.getJavaFileObjects(file));
        String[] first = new String[1];
        task.addTaskListener(new TaskListener() {
            @Override
            public void finished(TaskEvent e) {
                if (e.getKind() == TaskEvent.Kind.PARSE && first[0] == null) {
                    first[0] = firstClass(e.getCompilationUnit());
                }
            }
        });
        boolean ok = task.call();
        diagnostics.flush();
        try {
            standard.close();
        } catch (IOException ignored) {
            // nothing was written to disk
        }
        if (!ok) {
            return null;
        }
        if (first[0] == null) {
            err.println("error: no class declared in source file");
            return null;
        }
        // the absolute path of the source goes into each class, for debuggers started anywhere
        int lines = lineCount(file);
        Map<String, byte[]> classes = new LinkedHashMap<>();
        output.forEach((name, bytes) -> classes.put(name, SourcePath.add(bytes.toByteArray(), file, lines)));
        return new Compiled(first[0], classes);
    }

    private static int lineCount(Path file) {
        try (java.util.stream.Stream<String> lines = java.nio.file.Files.lines(file, StandardCharsets.UTF_8)) {
            return (int) Math.min(Integer.MAX_VALUE, lines.count());
        } catch (IOException | java.io.UncheckedIOException e) {
            return 1 << 20; // javac read it a moment ago; map more lines than any program has
        }
    }

    /** The binary name of the first top-level class, interface, enum or record, as the source launcher picks it. */
    private static String firstClass(CompilationUnitTree unit) {
        ExpressionTree pkg = unit.getPackageName();
        for (Tree t : unit.getTypeDecls()) {
            if (t instanceof ClassTree c) {
                String simple = c.getSimpleName().toString();
                return pkg == null ? simple : pkg + "." + simple;
            }
        }
        return null;
    }

    private static Method mainMethod(Class<?> cls) {
        try {
            Method m = cls.getMethod("main", String[].class);
            int mods = m.getModifiers();
            return Modifier.isStatic(mods) && m.getReturnType() == void.class ? m : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    /** As the JVM reports an exception that ends main, without the frames of {@code sonde run} below main. */
    private void printUncaught(Throwable t, Method main) {
        StackTraceElement[] frames = t.getStackTrace();
        for (int i = frames.length - 1; i >= 0; i--) {
            if (frames[i].getClassName().equals(main.getDeclaringClass().getName())
                    && frames[i].getMethodName().equals("main")) {
                t.setStackTrace(Arrays.copyOf(frames, i + 1));
                break;
            }
        }
        err.print("Exception in thread \"main\" ");
        t.printStackTrace(err);
    }

    /** Waits, as the JVM does before it exits, for threads the program started that are not daemons. */
    private static void awaitProgramThreads(Set<Thread> before) {
        while (true) {
            Thread next = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.isAlive() && !t.isDaemon() && t != Thread.currentThread() && !before.contains(t))
                    .findFirst().orElse(null);
            if (next == null) {
                return;
            }
            try {
                next.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
