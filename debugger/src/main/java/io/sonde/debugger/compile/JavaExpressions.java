package io.sonde.debugger.compile;

import com.sun.jdi.AbsentInformationException;
import com.sun.jdi.ArrayReference;
import com.sun.jdi.ArrayType;
import com.sun.jdi.ClassLoaderReference;
import com.sun.jdi.ClassNotLoadedException;
import com.sun.jdi.ClassObjectReference;
import com.sun.jdi.ClassType;
import com.sun.jdi.Field;
import com.sun.jdi.InvalidTypeException;
import com.sun.jdi.LocalVariable;
import com.sun.jdi.Method;
import com.sun.jdi.ObjectReference;
import com.sun.jdi.PathSearchingVirtualMachine;
import com.sun.jdi.PrimitiveValue;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.StackFrame;
import com.sun.jdi.Value;
import com.sun.jdi.VirtualMachine;
import io.sonde.debugger.DebugException;
import io.sonde.debugger.expr.Invoker;
import io.sonde.debugger.expr.Mirrors;
import io.sonde.debugger.plugin.ExpressionHost;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Java in a stopped frame, compiled: the expression or statements become the body of a static
 * method of a class that javac (the JDK's {@code javax.tools} compiler, in this process) compiles
 * against the worker's classpath and the job's in-memory classes, as a class of the frame's
 * package whose parameters are {@code this} and the frame's visible locals ({@link FrameSource}).
 * The class is defined in the worker as a hidden nestmate of the frame's class
 * ({@link ExpressionHost#define}, so private members of that class read as in nested code) and
 * called on the stopped thread through the {@link Invoker}, as Sonde's other calls are. For
 * statements, locals the statements assigned are written back to the frame.
 *
 * <p>Compiled classes are kept, per text and frame shape (class, locals and their types), until
 * {@link #close}: a repeated expression (a breakpoint's condition at each hit, a {@code display})
 * costs one call. One instance per JDI connection; not thread-safe (a session evaluates on one
 * thread at a time).
 */
public final class JavaExpressions implements AutoCloseable {
    private static final String HOST = ExpressionHost.class.getName();
    /** Imports every frame gets, as in {@code sonde shell}: a source file's own come first and win. */
    private static final List<String> DEFAULT_IMPORTS = List.of(
            "import java.util.*;", "import java.util.function.*;", "import java.util.stream.*;");
    /** The shell's and JShell's default imports, for frames of snippets. */
    private static final List<String> SNIPPET_IMPORTS = List.of(
            "import io.sonde.*;", "import static io.sonde.Sonde.*;", "import java.time.*;", "import java.io.*;",
            "import java.math.*;", "import java.net.*;", "import java.nio.file.*;", "import java.util.concurrent.*;",
            "import java.util.regex.*;");
    private static final String SNIPPET_PACKAGE = "REPL";

    private final VirtualMachine vm;
    private final Map<String, Compiled> cache = new HashMap<>();
    private final Map<String, byte[]> bytesCache = new HashMap<>();
    private JavaCompiler compiler;
    private StandardJavaFileManager files;
    private long unique = System.nanoTime();
    private ClassType hostType;
    private ArrayType byteArray;
    /** The imports of a frame's class (by class and loader) with the given ones: snippets' need a look at every class. */
    private final Map<String, List<String>> importsByClass = new HashMap<>();
    /** The thread that runs an evaluation now, for {@link #interrupt}; null between evaluations. */
    private volatile com.sun.jdi.ThreadReference running;

    /** What javac made of one text in one frame shape, defined in the worker. */
    private record Compiled(ClassObjectReference type, Method run, FrameSource source, List<String> params, boolean nested) {
    }

    /** A local of the frame, or a private field of its class copied in, with its value before the call. */
    private record Local(LocalVariable variable, Field field, ObjectReference owner, Value value) {
        String name() {
            return variable != null ? variable.name() : field.name();
        }

        String typeName() {
            return variable != null ? variable.typeName() : field.typeName();
        }
    }

    /** What a compiled run gave: the value (expressions), the locals it wrote back (statements), and whether it was cached. */
    public record Result(Value value, List<String> written, boolean cached, double compileMillis) {
    }

    public JavaExpressions(VirtualMachine vm) {
        this.vm = vm;
    }

    /** Evaluates a Java expression in the frame. Throws {@link CompileFailure} or {@link CannotCompile}. */
    public Result evaluate(Invoker invoker, Supplier<StackFrame> frame, String text, List<String> imports) {
        return run(invoker, frame, FrameSource.Kind.EXPRESSION, text, imports);
    }

    /** Runs Java statements in the frame and writes back the locals they assigned. */
    public Result execute(Invoker invoker, Supplier<StackFrame> frame, String text, List<String> imports) {
        String body = text.strip();
        if (!body.endsWith(";") && !body.endsWith("}")) {
            body += ";";
        }
        return run(invoker, frame, FrameSource.Kind.STATEMENTS, body, imports);
    }

    /**
     * Stops the evaluation that runs now (Ctrl-C): the worker's thread gets an exception thrown
     * where it is, the call returns with it, and the task stays stopped at its event.
     */
    public void interrupt() {
        com.sun.jdi.ThreadReference t = running;
        ClassType host = hostType();
        if (t == null || host == null) {
            return;
        }
        try {
            t.stop((ObjectReference) host.getValue(host.fieldByName("INTERRUPTED")));
        } catch (InvalidTypeException | RuntimeException e) {
            // the call ended meanwhile
        }
    }

    /** Lets the worker unload the compiled classes. */
    @Override
    public void close() {
        for (Compiled c : cache.values()) {
            try {
                c.type().enableCollection();
            } catch (RuntimeException gone) {
                // the worker went away
            }
        }
        cache.clear();
        if (files != null) {
            try {
                files.close();
            } catch (IOException ignored) {
                // nothing to keep
            }
        }
    }

    // ------------------------------------------------------------------ one run

    private Result run(Invoker invoker, Supplier<StackFrame> frame, FrameSource.Kind kind, String text, List<String> imports) {
        StackFrame f = frame.get();
        ReferenceType declaring = f.location().declaringType();
        ClassLoaderReference loader = declaring.classLoader();
        if (loader == null) {
            throw new CannotCompile("the frame is in a class of the JDK (" + declaring.name() + "), where no class can be added");
        }
        ClassType host = hostType();
        if (host == null) {
            throw new CannotCompile("the worker has no " + HOST + " loaded (is it a Sonde worker of this version?)");
        }
        List<LocalVariable> vars;
        try {
            vars = f.visibleVariables();
        } catch (AbsentInformationException e) {
            throw new CannotCompile(Mirrors.simpleName(declaring.name()) + " was compiled without -g: its locals have no names");
        }
        Map<LocalVariable, Value> values = f.getValues(vars);
        ObjectReference self = f.thisObject();
        List<Local> locals = new ArrayList<>();
        List<FrameSource.Param> params = new ArrayList<>();
        for (LocalVariable v : vars) {
            if (!javax.lang.model.SourceVersion.isIdentifier(v.name()) || v.name().equals(FrameSource.THIS)) {
                continue;
            }
            locals.add(new Local(v, null, null, values.get(v)));
            params.add(new FrameSource.Param(v.name(), sourceType(v.typeName(), v.genericSignature())));
        }
        Map<String, String> copied = new LinkedHashMap<>();
        for (Field fd : declaring.fields()) {
            if (!fd.isPrivate() || !fd.isStatic() && self == null || !javax.lang.model.SourceVersion.isIdentifier(fd.name())
                    || fd.isSynthetic()) {
                continue;
            }
            String param = "f$" + fd.name();
            copied.put(fd.name(), param);
            locals.add(new Local(null, fd, fd.isStatic() ? null : self, fd.isStatic() ? declaring.getValue(fd) : self.getValue(fd)));
            params.add(new FrameSource.Param(param, sourceType(fd.typeName(), fd.genericSignature())));
        }
        String pkg = declaring.name().contains(".") ? declaring.name().substring(0, declaring.name().lastIndexOf('.')) : "";
        String thisType = self == null ? null : Objects.requireNonNullElse(canonical(declaring.name()), "Object");
        List<String> allImports = importsByClass.computeIfAbsent(declaring.name() + "@" + loader.uniqueID() + imports,
                k -> imports(declaring, pkg, imports));
        String key = kind + "\u0000" + text + "\u0000" + declaring.name() + "@" + loader.uniqueID() + "\u0000" + thisType
                + "\u0000" + params + "\u0000" + allImports;
        Compiled c = cache.get(key);
        boolean cached = c != null;
        double compileMillis = 0;
        if (c == null) {
            Set<String> fields = new HashSet<>();
            Set<String> methods = new HashSet<>();
            if (self != null) {
                for (Field fd : declaring.allFields()) {
                    if (!fd.isStatic()) {
                        fields.add(fd.name());
                    }
                }
                for (Method m : declaring.allMethods()) {
                    if (!m.isStatic() && !m.isConstructor()) {
                        methods.add(m.name());
                    }
                }
            }
            // in the unnamed package nothing can be imported: the frame's class's static members and member classes are qualified
            Map<String, String> qualify = new HashMap<>();
            String top = pkg.isEmpty() ? canonical(declaring.name()) : null;
            if (top != null) {
                for (Field fd : declaring.fields()) {
                    if (fd.isStatic() && !fd.isPrivate()) {
                        qualify.put(fd.name(), top);
                    }
                }
                for (Method m : declaring.methods()) {
                    if (m.isStatic() && !m.isStaticInitializer()) {
                        qualify.put(m.name(), top);
                    }
                }
                for (ReferenceType nested : declaring.nestedTypes()) {
                    String simple = nested.name().substring(declaring.name().length() + 1);
                    if (javax.lang.model.SourceVersion.isIdentifier(simple)) {
                        qualify.put(simple, top);
                    }
                }
            }
            FrameSource source = FrameSource.of(kind, text, pkg, allImports, thisType, params, fields, methods, copied, qualify);
            long start = System.nanoTime();
            c = compileAndDefine(invoker, source, declaring, loader, host, pkg, params.stream().map(FrameSource.Param::name).toList());
            compileMillis = (System.nanoTime() - start) / 1e6;
            cache.put(key, c);
        }
        List<Value> args = new ArrayList<>();
        if (self != null) {
            args.add(self);
        }
        for (Local l : locals) {
            args.add(l.value());
        }
        Value out;
        running = invoker.thread();
        try {
            out = invoker.invokeStatic((ClassType) c.type().reflectedType(), c.run(), args);
        } catch (DebugException threw) {
            if (c.nested() && threw.getMessage().contains("NoClassDefFoundError") && threw.getMessage().contains("/0x")) {
                throw new DebugException(threw.getMessage() + "\n(a lambda in code that uses a private method of "
                        + Mirrors.simpleName(declaring.name()) + " or a private member of another object cannot run on this"
                        + " worker's Java " + vm.version() + " (later JDKs run it): call the private member outside the lambda,"
                        + " into a local with exec, then use the local)");
            }
            throw threw;
        } finally {
            running = null;
        }
        ArrayReference array = (ArrayReference) out;
        if (kind == FrameSource.Kind.EXPRESSION) {
            return new Result(array.getValue(0), List.of(), cached, compileMillis);
        }
        return new Result(null, writeBack(invoker, frame, locals, array), cached, compileMillis);
    }

    /** Sets the locals (and copied private fields) whose value the statements changed; returns the locals' names. */
    private List<String> writeBack(Invoker invoker, Supplier<StackFrame> frame, List<Local> locals, ArrayReference after) {
        List<String> written = new ArrayList<>();
        List<Value> now = after.getValues();
        for (int i = 0; i < locals.size(); i++) {
            Local l = locals.get(i);
            Value v = now.get(i);
            if (same(l.value(), v)) {
                continue;
            }
            try {
                Value converted = invoker.convert(v, l.typeName());
                if (l.variable() != null) {
                    frame.get().setValue(l.variable(), converted);
                    written.add(l.name());
                } else if (!l.field().isFinal()) {
                    if (l.owner() != null) {
                        l.owner().setValue(l.field(), converted);
                    } else {
                        ((ClassType) l.field().declaringType()).setValue(l.field(), converted);
                    }
                }
            } catch (InvalidTypeException | ClassNotLoadedException e) {
                throw new DebugException("cannot write " + l.name() + " back to the frame: " + e.getMessage());
            }
        }
        return written;
    }

    /** Whether the local's old value and the boxed value after the statements are the same. */
    private static boolean same(Value before, Value after) {
        if (before == null || after == null) {
            return before == after;
        }
        if (before instanceof PrimitiveValue p) {
            PrimitiveValue q = Mirrors.unbox(after);
            return q != null && p.equals(Mirrors.convert(p.virtualMachine(), q, Mirrors.kind(p)));
        }
        return before.equals(after);
    }

    private ClassType hostType() {
        if (hostType == null) {
            List<ReferenceType> found = vm.classesByName(HOST);
            hostType = found.isEmpty() || !(found.get(0) instanceof ClassType t) ? null : t;
        }
        return hostType;
    }

    // ------------------------------------------------------------------ imports and types

    private List<String> imports(ReferenceType declaring, String pkg, List<String> given) {
        List<String> out = new ArrayList<>(given);
        if (pkg.equals(SNIPPET_PACKAGE)) {
            out.addAll(SNIPPET_IMPORTS);
            out.addAll(snippetImports());
        }
        for (String d : DEFAULT_IMPORTS) {
            if (!out.contains(d)) {
                out.add(d);
            }
        }
        // the static members of the frame's class and of the classes it is nested in, by simple name
        // (Java has no import from the unnamed package: there, they are Class.member)
        String name = pkg.isEmpty() ? null : canonical(declaring.name());
        while (name != null && name.length() > pkg.length() + 1) {
            out.add("import static " + name + ".*;");
            int dot = name.lastIndexOf('.');
            name = dot > pkg.length() ? name.substring(0, dot) : null;
        }
        return out;
    }

    /**
     * JShell's wrapper classes ({@code REPL.$JShell$12}) loaded in the worker: the latest of each
     * top-level declaration (method, variable, class), as the shell sees it, imported by name.
     */
    private List<String> snippetImports() {
        TreeMap<Integer, ReferenceType> wrappers = new TreeMap<>();
        TreeMap<Integer, Map<String, String>> nestedByWrapper = new TreeMap<>();
        java.util.regex.Pattern nestedName = java.util.regex.Pattern.compile("REPL\\.(\\$JShell\\$(\\d+))\\$([\\p{L}_][\\p{L}\\p{N}_]*)");
        for (ReferenceType t : vm.allClasses()) {
            String n = t.name();
            java.util.regex.Matcher m = nestedName.matcher(n);
            if (m.matches()) {
                nestedByWrapper.computeIfAbsent(Integer.parseInt(m.group(2)), k -> new LinkedHashMap<>())
                        .put(m.group(3), SNIPPET_PACKAGE + "." + m.group(1));
            }
            if (n.startsWith(SNIPPET_PACKAGE + ".$JShell$") && n.indexOf('$', 13) < 0) {
                try {
                    wrappers.put(Integer.parseInt(n.substring(13)), t);
                } catch (NumberFormatException notAWrapper) {
                    // another class of the package
                }
            }
        }
        Map<String, String> members = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        for (ReferenceType t : wrappers.values()) {
            for (Field f : t.fields()) {
                if (f.isStatic() && !f.isSynthetic() && !f.isPrivate() && javax.lang.model.SourceVersion.isIdentifier(f.name())) {
                    members.put(f.name(), t.name());
                }
            }
            for (Method m : t.methods()) {
                if (m.isStatic() && !m.isStaticInitializer() && !m.isSynthetic() && !m.isPrivate()
                        && javax.lang.model.SourceVersion.isIdentifier(m.name()) && !m.name().startsWith("$")
                        && !m.name().startsWith("lambda$") && !m.name().startsWith("do_it$")) {
                    members.put(m.name(), t.name());
                }
            }
        }
        // a snippet's class ({@code REPL.$JShell$7$Pt}) may be loaded while its wrapper is not
        nestedByWrapper.values().forEach(types::putAll);
        List<String> out = new ArrayList<>();
        members.forEach((member, wrapper) -> out.add("import static " + wrapper + "." + member + ";"));
        types.forEach((type, wrapper) -> out.add("import " + wrapper + "." + type + ";"));
        return out;
    }

    /** A variable's type as source: its generic type where the class file has it, else its class. */
    private String sourceType(String typeName, String generic) {
        String erased = erasedType(typeName);
        if (generic != null) {
            String g = genericType(generic, new int[] {0}, true);
            if (g != null) {
                return g;
            }
        }
        return erased;
    }

    /** {@code p.Outer.Inner[]} for {@code p.Outer$Inner[]}; {@code Object} where the class has no name in source. */
    private String erasedType(String binary) {
        String dims = "";
        String base = binary;
        while (base.endsWith("[]")) {
            dims += "[]";
            base = base.substring(0, base.length() - 2);
        }
        if (Mirrors.PRIMITIVES.contains(base)) {
            return binary;
        }
        String c = canonical(base);
        return (c == null ? "Object" : c) + dims;
    }

    /**
     * A class's name in source: {@code $} between a class and its member class becomes a dot;
     * null for an anonymous or local class, which has no name there.
     */
    private String canonical(String binary) {
        int pkgEnd = binary.lastIndexOf('.') + 1;
        StringBuilder out = new StringBuilder(binary.substring(0, pkgEnd));
        String rest = binary.substring(pkgEnd);
        int from = 0;
        for (int i = rest.indexOf('$', 1); i > 0; i = rest.indexOf('$', i + 1)) {
            String prefix = binary.substring(0, pkgEnd + i);
            String prefixSimple = rest.substring(0, i);
            if (i + 1 < rest.length() && (prefixSimple.matches("\\$JShell\\$\\d+") || !vm.classesByName(prefix).isEmpty())) {
                if (Character.isDigit(rest.charAt(i + 1))) {
                    return null;
                }
                out.append(rest, from, i).append('.');
                from = i + 1;
            }
        }
        out.append(rest.substring(from));
        return out.toString();
    }

    /** Source for the generic signature at {@code at[0]}; null if it has a type variable at the top. */
    private String genericType(String sig, int[] at, boolean top) {
        char c = sig.charAt(at[0]);
        switch (c) {
            case 'B': at[0]++; return "byte";
            case 'C': at[0]++; return "char";
            case 'D': at[0]++; return "double";
            case 'F': at[0]++; return "float";
            case 'I': at[0]++; return "int";
            case 'J': at[0]++; return "long";
            case 'S': at[0]++; return "short";
            case 'Z': at[0]++; return "boolean";
            case '[': {
                at[0]++;
                String component = genericType(sig, at, top);
                return component == null ? null : component + "[]";
            }
            case 'T': {
                at[0] = sig.indexOf(';', at[0]) + 1;
                return top ? null : "?";
            }
            case '*': at[0]++; return "?";
            case '+': {
                at[0]++;
                String b = genericType(sig, at, false);
                return b == null || b.equals("?") ? "?" : "? extends " + b;
            }
            case '-': {
                at[0]++;
                String b = genericType(sig, at, false);
                return b == null || b.equals("?") ? "?" : "? super " + b;
            }
            case 'L': {
                at[0]++;
                StringBuilder name = new StringBuilder();
                List<String> args = new ArrayList<>();
                boolean inner = false;
                while (true) {
                    char d = sig.charAt(at[0]);
                    if (d == ';') {
                        at[0]++;
                        break;
                    } else if (d == '<') {
                        at[0]++;
                        while (sig.charAt(at[0]) != '>') {
                            args.add(genericType(sig, at, false));
                        }
                        at[0]++;
                    } else if (d == '.') {
                        inner = true;
                        name.append('$');
                        args.clear();
                        at[0]++;
                    } else {
                        name.append(d == '/' ? '.' : d);
                        at[0]++;
                    }
                }
                String base = canonical(name.toString());
                if (base == null) {
                    return top ? null : "?";
                }
                if (inner || args.isEmpty()) {
                    return base;
                }
                return base + "<" + String.join(", ", args) + ">";
            }
            default:
                throw new CannotCompile("unreadable generic signature " + sig);
        }
    }

    // ------------------------------------------------------------------ compiling and defining

    /**
     * Compiles as an ordinary class of the frame's loader and package (package-private members
     * reachable), or, if javac refuses a private member there (a private method of the frame's
     * class, a private field of another object of it), again as a hidden nestmate of the frame's
     * class, which the JVM lets use them.
     */
    private Compiled compileAndDefine(Invoker invoker, FrameSource source, ReferenceType declaring, ClassLoaderReference loader,
                                      ClassType host, String pkg, List<String> params) {
        String className = "SondeExpression$" + Long.toHexString(unique++);
        String text = source.source().replace(FrameSource.CLASS, className);
        int shift = className.length() - FrameSource.CLASS.length();
        Map<String, byte[]> out;
        boolean nested = false;
        try {
            out = compile(invoker, text, pkg, className, declaring, loader, source, shift, false);
        } catch (CompileFailure f) {
            if (!f.getMessage().contains("private access")) {
                throw f;
            }
            out = compile(invoker, text, pkg, className, declaring, loader, source, shift, true);
            nested = true;
        }
        String mainName = (pkg.isEmpty() ? "" : pkg + ".") + className;
        ClassObjectReference hostClass = declaring.classObject();
        try {
            ClassObjectReference defined = null;
            if (!nested) {
                defined = (ClassObjectReference) invoker.invokeStatic(host, method(host, "defineNamed"),
                        List.of(hostClass, mirror(invoker, out.get(mainName))));
            }
            for (Map.Entry<String, byte[]> e : out.entrySet()) {
                if (!e.getKey().equals(mainName)) {
                    invoker.invokeStatic(host, method(host, "defineNamed"), List.of(hostClass, mirror(invoker, e.getValue())));
                }
            }
            if (nested) {
                defined = (ClassObjectReference) invoker.invokeStatic(host, method(host, "define"),
                        List.of(hostClass, mirror(invoker, out.get(mainName))));
            }
            defined.disableCollection();
            ClassType type = (ClassType) defined.reflectedType();
            Method run = type.methodsByName("run").get(0);
            return new Compiled(defined, run, source, params, nested);
        } catch (DebugException refused) {
            throw new CannotCompile("the worker refused the compiled class (" + refused.getMessage() + ")");
        }
    }

    private static Method method(ClassType host, String name) {
        return host.methodsByName(name).get(0);
    }

    /** A {@code byte[]} in the worker with {@code bytes}, kept until the invoker releases it. */
    private ArrayReference mirror(Invoker invoker, byte[] bytes) {
        if (byteArray == null) {
            byteArray = (ArrayType) vm.classesByName("byte[]").get(0);
        }
        ArrayReference a = byteArray.newInstance(bytes.length);
        invoker.pin(a);
        List<Value> values = new ArrayList<>(bytes.length);
        for (byte b : bytes) {
            values.add(vm.mirrorOf(b));
        }
        try {
            a.setValues(values);
        } catch (InvalidTypeException | ClassNotLoadedException e) {
            throw new CannotCompile("cannot copy the compiled class to the worker: " + e);
        }
        return a;
    }

    private Map<String, byte[]> compile(Invoker invoker, String text, String pkg, String className, ReferenceType declaring,
                                        ClassLoaderReference loader, FrameSource source, int shift, boolean nested) {
        if (compiler == null) {
            compiler = ToolProvider.getSystemJavaCompiler();
            if (compiler == null) {
                throw new CannotCompile("this JVM has no Java compiler (javax.tools; run it on a JDK, not a JRE)");
            }
            files = compiler.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8);
            List<File> path = new ArrayList<>();
            if (vm instanceof PathSearchingVirtualMachine p) {
                for (String entry : p.classPath()) {
                    File file = new File(entry);
                    if (file.exists()) {
                        path.add(file);
                    }
                }
            }
            try {
                files.setLocation(javax.tools.StandardLocation.CLASS_PATH, path);
            } catch (IOException e) {
                throw new CannotCompile("cannot read the worker's classpath: " + e.getMessage());
            }
        }
        String nest = nested ? nestTop(declaring.name()) : "\u0000";
        WorkerClasses classes = new WorkerClasses(files, inMemory(invoker, loader), nest);
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<String> options = new ArrayList<>(List.of("-proc:none", "-g", "-XDuseUnsharedTable=true"));
        int release = feature(vm.version());
        if (release > 0 && release < Runtime.version().feature()) {
            options.addAll(List.of("--release", String.valueOf(release)));
        }
        JavaFileObject unit = WorkerClasses.source(pkg, className, text);
        boolean ok = compiler.getTask(null, classes, diagnostics, options, null, List.of(unit)).call();
        if (!ok) {
            throw failure(diagnostics.getDiagnostics(), source, shift);
        }
        return classes.output();
    }

    /** The outermost class of the frame's class's nest: the longest loaded prefix up to a {@code $} that is not the whole. */
    private String nestTop(String name) {
        int pkgEnd = name.lastIndexOf('.') + 1;
        for (int i = name.indexOf('$', pkgEnd + 1); i > 0; i = name.indexOf('$', i + 1)) {
            if (!vm.classesByName(name.substring(0, i)).isEmpty()) {
                return name.substring(0, i);
            }
        }
        return name;
    }

    private static int feature(String version) {
        try {
            String v = version.startsWith("1.") ? version.substring(2) : version;
            int end = 0;
            while (end < v.length() && Character.isDigit(v.charAt(end))) {
                end++;
            }
            return Integer.parseInt(v.substring(0, end));
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /**
     * The classes of the frame's loader and of its parents that are not the JDK's application
     * or platform loader (those read the classpath, which javac reads too): a job's in-memory
     * classes, with their bytecode fetched from the worker when javac first reads them.
     */
    private Map<String, Supplier<byte[]>> inMemory(Invoker invoker, ClassLoaderReference loader) {
        Map<String, Supplier<byte[]>> out = new HashMap<>();
        for (ClassLoaderReference l = loader; l != null; l = parent(l)) {
            String kind = l.referenceType().name();
            if (kind.startsWith("jdk.internal.loader.")) {
                break;
            }
            ClassLoaderReference from = l;
            for (ReferenceType t : l.definedClasses()) {
                String name = t.name();
                if (name.contains("/") || name.endsWith("[]")) {
                    continue; // hidden classes (an expression's own) and arrays
                }
                out.putIfAbsent(name, () -> bytes(invoker, from, name));
                // the classes it is nested in, which javac needs to name it, loaded in the worker or not
                String outer = canonical(name);
                int pkgEnd = name.lastIndexOf('.') + 1;
                while (outer != null && outer.lastIndexOf('.') >= pkgEnd) {
                    outer = outer.substring(0, outer.lastIndexOf('.'));
                    String binary = name.substring(0, outer.length());
                    if (binary.length() > pkgEnd) {
                        out.putIfAbsent(binary, () -> bytes(invoker, from, binary));
                    }
                }
            }
        }
        return out;
    }

    private static ClassLoaderReference parent(ClassLoaderReference l) {
        for (ReferenceType t = l.referenceType(); t instanceof ClassType ct; t = ct.superclass()) {
            if (ct.name().equals("java.lang.ClassLoader")) {
                return (ClassLoaderReference) l.getValue(ct.fieldByName("parent"));
            }
        }
        return null;
    }

    private byte[] bytes(Invoker invoker, ClassLoaderReference loader, String name) {
        String key = loader.uniqueID() + ":" + name;
        byte[] b = bytesCache.get(key);
        if (b != null) {
            return b;
        }
        ClassType host = hostType();
        Value v = invoker.invokeStatic(host, method(host, "classBytes"), List.of(loader, invoker.pin(vm.mirrorOf(name))));
        if (!(v instanceof ArrayReference a)) {
            return null;
        }
        List<Value> values = a.getValues();
        b = new byte[values.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = ((com.sun.jdi.ByteValue) values.get(i)).value();
        }
        bytesCache.put(key, b);
        return b;
    }

    /**
     * javac's errors in the typed text as javac shows them, a caret under the place; an error
     * outside it (in the declarations of the frame's locals) means the compiled path cannot
     * stand for this frame.
     */
    private static RuntimeException failure(List<Diagnostic<? extends JavaFileObject>> diagnostics, FrameSource source, int shift) {
        StringBuilder shown = new StringBuilder();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics) {
            if (d.getKind() != Diagnostic.Kind.ERROR) {
                continue;
            }
            long position = d.getPosition() == Diagnostic.NOPOS ? -1 : d.getPosition() - shift;
            int at = position < 0 ? -1 : source.original(position);
            String message = d.getMessage(Locale.ROOT);
            List<String> lines = new ArrayList<>();
            for (String l : message.split("\n")) {
                if (!l.contains("SondeExpression$")) {
                    lines.add(l);
                }
            }
            if (at < 0) {
                return new CannotCompile("javac cannot declare this frame's locals: "
                        + String.join("; ", lines.stream().map(String::strip).toList()));
            }
            if (shown.length() > 0) {
                shown.append('\n');
            }
            String typed = source.typed();
            int lineStart = typed.lastIndexOf('\n', Math.max(0, at - 1)) + 1;
            if (at == 0) {
                lineStart = 0;
            }
            int lineEnd = typed.indexOf('\n', at);
            String line = typed.substring(lineStart, lineEnd < 0 ? typed.length() : lineEnd);
            shown.append("error: ").append(lines.get(0)).append('\n')
                    .append("    ").append(line).append('\n')
                    .append("    ").append(" ".repeat(Math.max(0, at - lineStart))).append('^');
            for (int i = 1; i < lines.size(); i++) {
                shown.append('\n').append(lines.get(i));
            }
        }
        if (shown.length() == 0) {
            return new CannotCompile("javac failed without an error message");
        }
        return new CompileFailure(shown.toString());
    }
}
