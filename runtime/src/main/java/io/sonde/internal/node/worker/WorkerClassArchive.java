package io.sonde.internal.node.worker;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

/**
 * An application class data sharing archive (AppCDS) of the classes a worker loads from the jars
 * of its job's classpath (Sonde's runtime, gRPC, Netty, protobuf...): mapped from the file instead
 * of parsed into metaspace, they start faster and their memory is shared by the workers.
 *
 * <p><b>Lifecycle.</b> Archives live in a per-user cache directory, one per key: a hash of the
 * JDK, whether the worker's heap is under 32 GB ({@link #heapClass}) and the jars (paths, sizes,
 * modification times), so a changed jar or JDK gets a new one. The first worker of a key records
 * the classes it loads ({@code -XX:DumpLoadedClassList}); some seconds later (or, when the JVM
 * ended first, as the next JVM starts a worker of the key), off every worker's path, a background
 * {@code java -Xshare:dump} builds the archive from that list into a temporary file, checks that
 * a JVM maps it ({@code -Xshare:on}), and renames it in place atomically, so nodes sharing the
 * directory never see half a file. Later workers of the key start with
 * {@code -XX:SharedArchiveFile}. With {@code -Xshare:auto} a JVM that cannot use an archive
 * (corrupt, deleted) starts without it.
 *
 * <p><b>Class path order.</b> JDK 17 archives classes from jars only, and only when no
 * non-empty directory comes before a jar it uses. A worker that gets an archive therefore has
 * its class path's jars first, then its other entries, each group in the job's order; its
 * {@code java.class.path} is the job's as given ({@code WorkerMain} puts it back). That moves no
 * class and no resource: it is done only when no file in a directory is also in a jar that came
 * after that directory (else the job's workers start without an archive, and the node says
 * why, once).
 *
 * <p><b>Off.</b> {@code SONDE_WORKER_CLASS_ARCHIVE=off} (property {@code sonde.worker.classArchive}).
 * The directory is {@code SONDE_WORKER_CLASS_ARCHIVE_DIR} (property
 * {@code sonde.worker.classArchiveDir}), by default {@code $XDG_CACHE_HOME/sonde/class-archives}
 * ({@code ~/.cache/sonde/class-archives}).
 */
public final class WorkerClassArchive {
    public static final String SWITCH_ENV = "SONDE_WORKER_CLASS_ARCHIVE";
    public static final String DIR_ENV = "SONDE_WORKER_CLASS_ARCHIVE_DIR";
    static final String SWITCH_PROPERTY = "sonde.worker.classArchive";
    static final String DIR_PROPERTY = "sonde.worker.classArchiveDir";
    /** The system property through which a worker with a reordered class path learns the job's. */
    public static final String CLASSPATH_PROPERTY = "sonde.worker.classpath";
    /** How long the first worker of a key records its classes before the archive is built. */
    static final Duration TRAINING = Duration.ofSeconds(10);
    /** Class lists older than this are a dead node's, not a training's. */
    private static final Duration LEFTOVER_AGE = Duration.ofHours(1);
    /** Temporary files older than this are a dead build's: a build takes seconds, at most two minutes. */
    private static final Duration TMP_AGE = Duration.ofMinutes(10);
    /**
     * The temporary files and the {@code java} process of the build in progress in this JVM, if
     * any: a JVM that exits meanwhile stops the process and deletes them (a shutdown hook), so
     * an ended program leaves no half-made archive behind.
     */
    private static final Set<Path> BUILDING_FILES = ConcurrentHashMap.newKeySet();
    private static final Set<Process> BUILDING_PROCESSES = ConcurrentHashMap.newKeySet();

    static {
        Thread hook = new Thread(() -> {
            BUILDING_PROCESSES.forEach(Process::destroyForcibly);
            BUILDING_FILES.forEach(WorkerClassArchive::deleteQuietly);
        }, "sonde-class-archive-cleanup");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting already: no build will start
        }
    }
    private static final int MIN_CLASSES = 100;

    private final boolean enabled;
    private final Path dir;
    private final String javaBin;
    private final Duration training;
    private final Consumer<String> log;
    /**
     * Archives (their paths) being made, or that failed, in this JVM: each is tried once, however
     * many nodes it runs (a driver that starts one cluster after another).
     */
    private static final Set<Path> ATTEMPTED = ConcurrentHashMap.newKeySet();
    /** Makes the archives, one at a time, for all the nodes of this JVM. */
    private static final ScheduledExecutorService BUILDER = builder();
    /** Reasons not to use an archive that were said. */
    private final Set<String> told = ConcurrentHashMap.newKeySet();
    /** The files of the class paths' jars, for all the nodes of this JVM; guards itself, calls nothing out. */
    private static final Map<List<String>, JarNames> JAR_NAMES = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<List<String>, JarNames> eldest) {
            return size() > 4;
        }
    };

    WorkerClassArchive(boolean enabled, Path dir, String javaBin, Duration training, Consumer<String> log) {
        this.enabled = enabled;
        this.dir = dir;
        this.javaBin = javaBin;
        this.training = training;
        this.log = log;
    }

    /** Off: workers start as they would without this class. */
    public static WorkerClassArchive off() {
        return new WorkerClassArchive(false, null, null, TRAINING, m -> { });
    }

    /**
     * From this JVM's system properties and environment; a value that cannot be used stops here
     * with a message naming it.
     *
     * @param log where the node says what went wrong with an archive
     */
    public static WorkerClassArchive fromEnvironment(String javaBin, Consumer<String> log) {
        return from(System::getProperty, System::getenv, javaBin, log);
    }

    static WorkerClassArchive from(Function<String, String> properties, Function<String, String> env,
                                   String javaBin, Consumer<String> log) {
        String onOff = first(properties.apply(SWITCH_PROPERTY), env.apply(SWITCH_ENV));
        boolean enabled = true;
        if (onOff != null) {
            switch (onOff.trim().toLowerCase(Locale.ROOT)) {
                case "on", "true" -> enabled = true;
                case "off", "false" -> enabled = false;
                default -> throw new IllegalArgumentException(SWITCH_ENV + " must be on or off (the workers' class data"
                        + " archive; default on), got \"" + onOff + "\"");
            }
        }
        String where = first(properties.apply(DIR_PROPERTY), env.apply(DIR_ENV));
        Path dir;
        if (where != null) {
            dir = Path.of(where.trim());
            if (!dir.isAbsolute()) {
                throw new IllegalArgumentException(DIR_ENV + " must be an absolute directory, got \"" + where + "\"");
            }
        } else {
            String cache = env.apply("XDG_CACHE_HOME");
            Path base = cache != null && !cache.isBlank() && Path.of(cache).isAbsolute() ? Path.of(cache)
                    : Path.of(System.getProperty("user.home"), ".cache");
            dir = base.resolve("sonde").resolve("class-archives");
        }
        return new WorkerClassArchive(enabled, dir, javaBin, TRAINING, log);
    }

    private static String first(String a, String b) {
        return a != null && !a.isBlank() ? a : b != null && !b.isBlank() ? b : null;
    }

    public boolean enabled() {
        return enabled;
    }

    Path dir() {
        return dir;
    }

    /**
     * What a worker is started with.
     *
     * @param options   the JVM options to add after the others
     * @param classpath the class path to start it with
     */
    record Launch(List<String> options, List<String> classpath) {
    }

    /**
     * How to start a worker of this class path, whose last {@code -Xmx} option is {@code maxHeap}
     * (empty: none), in the directory {@code cwd} (against which the JVM resolves relative
     * entries). Starts the archive's making when the key has none yet.
     */
    Launch prepare(List<String> classpath, String maxHeap, Path cwd) {
        Launch plain = new Launch(List.of(), classpath);
        if (!enabled) {
            return plain;
        }
        Optional<Layout> layout;
        try {
            layout = layout(classpath, maxHeap, cwd);
        } catch (IOException | UncheckedIOException e) {
            tell("cp:" + classpath, "cannot read the class path to archive its classes (" + e.getMessage() + ")");
            return plain;
        }
        if (layout.isEmpty()) {
            return plain;
        }
        Layout l = layout.get();
        Path archive = archive(l.key());
        if (Files.isRegularFile(archive)) {
            List<String> options = new ArrayList<>();
            options.add("-XX:SharedArchiveFile=" + archive);
            if (!l.ordered().equals(classpath)) {
                options.add("-D" + CLASSPATH_PROPERTY + "=" + String.join(File.pathSeparator, classpath));
            }
            return new Launch(List.copyOf(options), l.ordered());
        }
        if (!ATTEMPTED.add(archive)) {
            return plain; // being made, or failed in this JVM
        }
        try {
            Files.createDirectories(dir);
            if (!Files.isWritable(dir)) {
                throw new IOException("not writable");
            }
            removeLeftovers();
        } catch (IOException e) {
            ATTEMPTED.remove(archive);
            tell("dir", "cannot write in " + dir + " for the workers' class data archives (" + e.getMessage()
                    + "); workers start without one. Set " + DIR_ENV + " to a writable directory, or "
                    + SWITCH_ENV + "=off");
            return plain;
        }
        List<Path> recorded = recorded(l.key());
        if (!recorded.isEmpty()) {
            // a JVM that ended before it made the archive left what its worker loaded: make it now
            BUILDER.execute(() -> build(l, recorded.get(0)));
            return plain;
        }
        Path classList = dir.resolve(l.key() + "." + UUID.randomUUID() + ".classlist");
        BUILDER.schedule(() -> build(l, classList), training.toMillis(), TimeUnit.MILLISECONDS);
        return new Launch(List.of("-XX:DumpLoadedClassList=" + classList), classpath);
    }

    /** The class lists of the key that no worker has written to for the training's time. */
    private List<Path> recorded(String key) {
        Instant quiet = Instant.now().minus(training);
        try (var files = Files.list(dir)) {
            return files.filter(f -> {
                String n = f.getFileName().toString();
                return n.startsWith(key + ".") && n.endsWith(".classlist");
            }).filter(f -> {
                try {
                    return Files.getLastModifiedTime(f).toInstant().isBefore(quiet);
                } catch (IOException e) {
                    return false;
                }
            }).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    Path archive(String key) {
        return dir.resolve(key + ".jsa");
    }

    private static ScheduledExecutorService builder() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "sonde-class-archive");
            t.setDaemon(true);
            return t;
        });
        executor.setKeepAliveTime(30, TimeUnit.SECONDS);
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    /** Builds the archive from what the first worker loaded (on the builder's thread, no lock held). */
    void build(Layout l, Path classList) {
        String nonce = UUID.randomUUID().toString();
        Path tmp = dir.resolve(l.key() + "." + nonce + ".jsa.tmp");
        Path out = dir.resolve(l.key() + "." + nonce + ".log.tmp");
        Path list = dir.resolve(l.key() + "." + nonce + ".classlist.tmp");
        BUILDING_FILES.addAll(List.of(tmp, out, list));
        try {
            String loaded;
            try {
                loaded = Files.readString(classList, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                loaded = ""; // another JVM made the archive from it
            }
            // the worker may be writing it still: its last line may be cut
            loaded = loaded.substring(0, loaded.lastIndexOf('\n') + 1);
            if (loaded.lines().filter(s -> !s.startsWith("#")).count() < MIN_CLASSES) {
                // the worker ended before it loaded its classes: the next worker tries again
                ATTEMPTED.remove(archive(l.key()));
                return;
            }
            Files.writeString(list, loaded, StandardCharsets.UTF_8);
            List<String> jvm = new ArrayList<>(List.of(javaBin, "-Xshare:dump",
                    "-XX:SharedClassListFile=" + list, "-XX:SharedArchiveFile=" + tmp));
            if (!l.maxHeap().isEmpty()) {
                jvm.add(l.maxHeap()); // the compressed oops mode is the archive's, so is the heap's size
            }
            jvm.addAll(List.of("-cp", String.join(File.pathSeparator, l.jars())));
            int dumped = run(jvm, out);
            if (dumped != 0 || !Files.isRegularFile(tmp)) {
                fail(l, "java -Xshare:dump exited with " + dumped, out);
                return;
            }
            List<String> check = new ArrayList<>(List.of(javaBin, "-Xshare:on", "-XX:SharedArchiveFile=" + tmp));
            if (!l.maxHeap().isEmpty()) {
                check.add(l.maxHeap());
            }
            check.addAll(List.of("-cp", String.join(File.pathSeparator, l.jars()), "-version"));
            int checked = run(check, out);
            if (checked != 0) {
                fail(l, "a JVM could not map the new archive (java -Xshare:on exited with " + checked + ")", out);
                return;
            }
            try {
                Files.move(tmp, archive(l.key()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                recorded(l.key()).forEach(WorkerClassArchive::deleteQuietly); // other JVMs', no longer needed
            } catch (AtomicMoveNotSupportedException e) {
                fail(l, dir + " cannot rename files atomically", out);
            }
        } catch (IOException e) {
            fail(l, e.toString(), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            deleteQuietly(tmp);
            deleteQuietly(out);
            deleteQuietly(list);
            deleteQuietly(classList);
            BUILDING_FILES.removeAll(List.of(tmp, out, list));
        }
    }

    private void fail(Layout l, String why, Path out) {
        String tail = "";
        try {
            if (Files.exists(out)) {
                List<String> lines = Files.readAllLines(out);
                tail = String.join("\n  ", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
            }
        } catch (IOException e) {
            tail = "(its output is unreadable: " + e.getMessage() + ")";
        }
        log.accept("the workers' class data archive " + archive(l.key()) + " could not be made: " + why
                + "; workers start without it (slower, larger), and this JVM does not try again. "
                + "To stop trying, set " + SWITCH_ENV + "=off." + (tail.isEmpty() ? "" : " Its output ends:\n  " + tail));
    }

    private static int run(List<String> command, Path out) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(out.toFile())).start();
        BUILDING_PROCESSES.add(p);
        try {
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                p.waitFor();
                return -1;
            }
            return p.exitValue();
        } finally {
            BUILDING_PROCESSES.remove(p);
        }
    }

    /** Class lists and temporary files that a node which died while making an archive left. */
    private void removeLeftovers() throws IOException {
        Instant now = Instant.now();
        try (var files = Files.list(dir)) {
            files.filter(f -> {
                String n = f.getFileName().toString();
                Duration age = n.endsWith(".tmp") ? TMP_AGE : n.endsWith(".classlist") ? LEFTOVER_AGE : null;
                try {
                    return age != null && Files.getLastModifiedTime(f).toInstant().isBefore(now.minus(age));
                } catch (IOException e) {
                    return false;
                }
            }).forEach(WorkerClassArchive::deleteQuietly);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // a leftover; the next archive's making removes it once it is old
        }
    }

    private void tell(String key, String message) {
        if (told.add(key)) {
            log.accept(message);
        }
    }

    /**
     * The archive's key and the class path a worker using it gets.
     *
     * @param jars    the jars, in the job's order: the archive's class path
     * @param ordered the jars, then the other entries
     */
    record Layout(String key, List<String> jars, List<String> ordered, String maxHeap) {
    }

    /** Empty when the class path has no jar, or cannot be reordered without moving a class or resource. */
    Optional<Layout> layout(List<String> given, String maxHeap, Path cwd) throws IOException {
        List<String> jars = new ArrayList<>();
        List<String> others = new ArrayList<>();
        List<String> classpath = new ArrayList<>();
        boolean dirBeforeJar = false;
        for (String e : given) {
            // as the worker's JVM reads it: an empty entry is its working directory, a relative one in it
            String entry = cwd.resolve(e).toAbsolutePath().normalize().toString();
            classpath.add(entry);
            Path p = Path.of(entry);
            if (Files.isRegularFile(p) && entry.toLowerCase(Locale.ROOT).endsWith(".jar")) {
                jars.add(entry);
                dirBeforeJar |= !others.isEmpty();
            } else if (Files.isRegularFile(p)) {
                tell("file:" + classpath, "workers of a class path with " + entry + ", neither a jar nor a"
                        + " directory, start without a class data archive");
                return Optional.empty();
            } else {
                others.add(entry);
            }
        }
        if (jars.isEmpty()) {
            return Optional.empty();
        }
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
        StringBuilder id = new StringBuilder("sonde-class-archive 1\n")
                .append(System.getProperty("java.home")).append('\n')
                .append(System.getProperty("java.vm.version")).append('\n')
                .append(heapClass(maxHeap)).append('\n');
        List<String> identity = new ArrayList<>();
        for (String jar : jars) {
            BasicFileAttributes a = Files.readAttributes(Path.of(jar), BasicFileAttributes.class);
            String one = jar + '\t' + a.size() + '\t' + a.lastModifiedTime().toMillis();
            identity.add(one);
            id.append(one).append('\n');
        }
        String key = HexFormat.of().formatHex(sha.digest(id.toString().getBytes(StandardCharsets.UTF_8)), 0, 16);
        JarNames names;
        synchronized (JAR_NAMES) {
            names = JAR_NAMES.get(identity);
        }
        if (names == null) {
            names = JarNames.read(jars);
            synchronized (JAR_NAMES) {
                JAR_NAMES.put(identity, names);
            }
        }
        if (names.classPathAttribute() != null) {
            tell("manifest:" + key, "workers start without a class data archive: " + names.classPathAttribute()
                    + " has a Class-Path in its manifest");
            return Optional.empty();
        }
        List<String> ordered = new ArrayList<>(jars);
        ordered.addAll(others);
        if (dirBeforeJar) {
            Optional<String> clash = clash(classpath, jars, names);
            if (clash.isPresent()) {
                tell("clash:" + classpath, "workers start without a class data archive: " + clash.get()
                        + ", so the jars cannot be put before the directories on the workers' class path");
                return Optional.empty();
            }
        }
        return Optional.of(new Layout(key, List.copyOf(jars), List.copyOf(ordered), maxHeap));
    }

    /**
     * What of the heap's size an archive depends on: whether the JVM compresses its object
     * pointers, which it does for heaps under 32 GB. Workers of nodes with different heap
     * ceilings under that share one archive.
     */
    static String heapClass(String maxHeap) {
        String size = maxHeap.startsWith("-Xmx") ? maxHeap.substring(4).trim().toLowerCase(Locale.ROOT) : "";
        if (!size.isEmpty()) {
            long unit = switch (size.charAt(size.length() - 1)) {
                case 'k' -> 1L << 10;
                case 'm' -> 1L << 20;
                case 'g' -> 1L << 30;
                case 't' -> 1L << 40;
                default -> 1;
            };
            String digits = unit == 1 ? size : size.substring(0, size.length() - 1);
            try {
                long bytes = Long.parseLong(digits);
                if (bytes < (31L << 30) / unit) {
                    return "compressed oops";
                }
            } catch (NumberFormatException e) {
                // as given: the JVM says what it thinks of it
            }
        }
        return maxHeap; // none (the JVM's default, a share of the machine) or a large heap: as given
    }

    /** A file of a directory that a jar after it on the class path has as well. */
    private static Optional<String> clash(List<String> classpath, List<String> jars, JarNames names) throws IOException {
        int jarsSeen = 0;
        for (String entry : classpath) {
            if (jars.contains(entry)) {
                jarsSeen++;
                continue;
            }
            if (jarsSeen == jars.size()) {
                break; // no jar after it: it keeps its place
            }
            Path d = Path.of(entry);
            if (!Files.isDirectory(d)) {
                continue;
            }
            int after = jarsSeen; // the jars at this index and above came after the directory
            String[] found = new String[1];
            Files.walkFileTree(d, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    String name = d.relativize(file).toString().replace(File.separatorChar, '/');
                    Integer last = names.lastJar().get(name);
                    if (last != null && last >= after) {
                        found[0] = entry + " has " + name + ", as " + jars.get(last) + " has";
                        return FileVisitResult.TERMINATE;
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
            if (found[0] != null) {
                return Optional.of(found[0]);
            }
        }
        return Optional.empty();
    }

    /**
     * The files of the jars.
     *
     * @param lastJar             each file's name to the index of the last jar that has it
     * @param classPathAttribute  a jar whose manifest has a Class-Path, or null
     */
    record JarNames(Map<String, Integer> lastJar, String classPathAttribute) {
        static JarNames read(List<String> jars) throws IOException {
            Map<String, Integer> last = new HashMap<>();
            String withClassPath = null;
            for (int i = 0; i < jars.size(); i++) {
                try (JarFile jar = new JarFile(jars.get(i), false)) {
                    Manifest m = jar.getManifest();
                    if (withClassPath == null && m != null
                            && m.getMainAttributes().getValue(Attributes.Name.CLASS_PATH) != null) {
                        withClassPath = jars.get(i);
                    }
                    for (var e = jar.entries(); e.hasMoreElements(); ) {
                        ZipEntry z = e.nextElement();
                        if (!z.isDirectory()) {
                            last.put(z.getName(), i);
                        }
                    }
                }
            }
            return new JarNames(last, withClassPath);
        }
    }
}
