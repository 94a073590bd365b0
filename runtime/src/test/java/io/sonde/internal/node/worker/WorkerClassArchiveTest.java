package io.sonde.internal.node.worker;

import com.google.protobuf.Struct;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class WorkerClassArchiveTest {
    private static final String JAVA = ProcessWorkerLauncher.javaBin();
    private static final Path CWD = Path.of("").toAbsolutePath();

    @TempDir
    Path tmp;

    private final List<String> said = new CopyOnWriteArrayList<>();

    /** A builder that never fires by itself: the tests build when the training JVM is done. */
    private WorkerClassArchive archive(Path dir) {
        return new WorkerClassArchive(true, dir, JAVA, Duration.ofHours(1), said::add);
    }

    private static String protobufJar() throws Exception {
        return Path.of(Struct.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static String testClasses() throws Exception {
        return Path.of(ArchiveProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    @Test
    void theKeyIsTheJarsAndTheHeapsPointerSizeAndChangesWithAJar() throws Exception {
        Path jar = Files.copy(Path.of(protobufJar()), tmp.resolve("p.jar"));
        WorkerClassArchive a = archive(tmp.resolve("archives"));
        String key = a.layout(List.of(jar.toString()), "-Xmx64m", CWD).orElseThrow().key();

        assertThat(a.layout(List.of(jar.toString()), "-Xmx64m", CWD).orElseThrow().key()).isEqualTo(key);
        // what matters of the heap is whether its pointers are compressed (under 32 GB)
        assertThat(a.layout(List.of(jar.toString()), "-Xmx2g", CWD).orElseThrow().key()).isEqualTo(key);
        assertThat(a.layout(List.of(jar.toString()), "-Xmx64g", CWD).orElseThrow().key()).isNotEqualTo(key);
        assertThat(a.layout(List.of(jar.toString()), "", CWD).orElseThrow().key()).isNotEqualTo(key);
        // a relative entry is the worker's: in its working directory
        WorkerClassArchive.Layout relative = a.layout(List.of("classes", "p.jar"), "-Xmx64m", tmp).orElseThrow();
        assertThat(relative.key()).isEqualTo(key);
        assertThat(relative.ordered()).containsExactly(jar.toString(), tmp.resolve("classes").toString());
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000));
        assertThat(a.layout(List.of(jar.toString()), "-Xmx64m", CWD).orElseThrow().key()).isNotEqualTo(key);
    }

    @Test
    void aDeadBuildsTemporaryFilesGoAfterTenMinutesAndATrainingsClassListAfterAnHour() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("archives"));
        Instant now = Instant.now();
        Path deadBuild = age(dir.resolve("k1.n1.jsa.tmp"), now.minus(Duration.ofMinutes(11)));
        Path building = age(dir.resolve("k1.n2.jsa.tmp"), now.minus(Duration.ofMinutes(2)));
        Path training = age(dir.resolve("k2.n3.classlist"), now.minus(Duration.ofMinutes(30)));
        Path deadTraining = age(dir.resolve("k3.n4.classlist"), now.minus(Duration.ofMinutes(61)));
        Path archive = age(dir.resolve("k4.jsa"), now.minus(Duration.ofDays(3)));

        // a class path of a new key: its first worker starts the training, which cleans up first
        Path jar = Files.copy(Path.of(protobufJar()), tmp.resolve("p.jar"));
        archive(dir).prepare(List.of(jar.toString()), "", CWD);

        assertThat(deadBuild).doesNotExist();
        assertThat(deadTraining).doesNotExist();
        assertThat(building).exists();
        assertThat(training).exists();
        assertThat(archive).as("archives are kept").exists();
    }

    private static Path age(Path file, Instant modified) throws Exception {
        Files.writeString(file, "x");
        Files.setLastModifiedTime(file, FileTime.from(modified));
        return file;
    }

    @Test
    void jarsGoBeforeTheDirectoriesOnlyWhenNoFileOfADirectoryIsInALaterJar() throws Exception {
        String jar = protobufJar();
        Path classes = Files.createDirectories(tmp.resolve("classes/app"));
        Files.writeString(classes.resolve("Main.class"), "not read");
        String dir = tmp.resolve("classes").toString();
        WorkerClassArchive a = archive(tmp.resolve("archives"));

        assertThat(a.layout(List.of(dir, jar), "", CWD).orElseThrow().ordered()).containsExactly(jar, dir);
        assertThat(a.layout(List.of(jar, dir), "", CWD).orElseThrow().ordered()).containsExactly(jar, dir);
        assertThat(said).isEmpty();

        // the directory shadows a class of the jar: putting the jar first would change which one loads
        Path shadow = Files.createDirectories(tmp.resolve("classes/com/google/protobuf"));
        Files.writeString(shadow.resolve("Struct.class"), "not read");
        assertThat(a.layout(List.of(dir, jar), "", CWD)).isEmpty();
        assertThat(said).singleElement().asString()
                .contains("without a class data archive", dir + " has com/google/protobuf/Struct.class", jar);
        // after the jar it shadows nothing, and keeps its place
        assertThat(a.layout(List.of(jar, dir), "", CWD).orElseThrow().ordered()).containsExactly(jar, dir);
    }

    @Test
    void theSwitchAndTheDirectoryAreReadAndABadValueNamesItsVariable() {
        Map<String, String> none = Map.of();
        WorkerClassArchive off = WorkerClassArchive.from(none::get, Map.of("SONDE_WORKER_CLASS_ARCHIVE", "off")::get,
                JAVA, said::add);
        assertThat(off.enabled()).isFalse();
        assertThat(off.prepare(List.of("/a.jar", "/b"), "", CWD)).isEqualTo(new WorkerClassArchive.Launch(List.of(),
                List.of("/a.jar", "/b")));
        assertThat(WorkerClassArchive.from(Map.of("sonde.worker.classArchive", "false")::get, none::get, JAVA,
                said::add).enabled()).isFalse();
        WorkerClassArchive on = WorkerClassArchive.from(none::get, Map.of("XDG_CACHE_HOME", "/c")::get, JAVA, said::add);
        assertThat(on.enabled()).isTrue();
        assertThat(on.dir()).isEqualTo(Path.of("/c/sonde/class-archives"));

        assertThatThrownBy(() -> WorkerClassArchive.from(none::get,
                Map.of("SONDE_WORKER_CLASS_ARCHIVE", "maybe")::get, JAVA, said::add))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SONDE_WORKER_CLASS_ARCHIVE must be on or off").hasMessageContaining("maybe");
        assertThatThrownBy(() -> WorkerClassArchive.from(none::get,
                Map.of("SONDE_WORKER_CLASS_ARCHIVE_DIR", "cache")::get, JAVA, said::add))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SONDE_WORKER_CLASS_ARCHIVE_DIR must be an absolute directory");
    }

    /**
     * A real JVM records its classes, the archive is made from them, the next JVM maps it, and
     * one whose archive is corrupt starts without it.
     */
    @Test
    void theArchiveIsMadeFromAFirstRunMappedByTheNextAndACorruptOneIsIgnored() throws Exception {
        Path dir = tmp.resolve("archives");
        WorkerClassArchive a = archive(dir);
        List<String> classpath = List.of(testClasses(), protobufJar());

        WorkerClassArchive.Launch first = a.prepare(classpath, "-Xmx64m", CWD);
        assertThat(first.classpath()).isEqualTo(classpath);
        assertThat(first.options()).singleElement().asString().startsWith("-XX:DumpLoadedClassList=" + dir);
        assertThat(run(first, "")).doesNotContain("mapped");
        // the next one, while the archive is not made yet, starts as before
        assertThat(a.prepare(classpath, "-Xmx64m", CWD)).isEqualTo(new WorkerClassArchive.Launch(List.of(), classpath));

        WorkerClassArchive.Layout layout = a.layout(classpath, "-Xmx64m", CWD).orElseThrow();
        a.build(layout, Path.of(first.options().get(0).substring("-XX:DumpLoadedClassList=".length())));
        Path archive = a.archive(layout.key());
        assertThat(said).isEmpty();
        assertThat(archive).isRegularFile();
        try (var left = Files.list(dir)) {
            assertThat(left).containsExactly(archive); // no class list or temporary file left
        }

        WorkerClassArchive.Launch second = a.prepare(classpath, "-Xmx64m", CWD);
        assertThat(second.classpath()).containsExactly(protobufJar(), testClasses());
        assertThat(second.options()).containsExactly("-XX:SharedArchiveFile=" + archive,
                "-D" + WorkerClassArchive.CLASSPATH_PROPERTY + "=" + String.join(File.pathSeparator, classpath));
        assertThat(run(second, archive.toString())).contains("mapped=true");

        archive.toFile().setWritable(true);
        Files.write(archive, new byte[4096]);
        assertThat(run(a.prepare(classpath, "-Xmx64m", CWD), archive.toString())).contains("mapped=false");
    }

    /** A program shorter than the training leaves its worker's class list: the next JVM makes the archive of it. */
    @Test
    void aClassListThatAnEndedJvmLeftIsMadeIntoTheArchiveByTheNext() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("archives"));
        WorkerClassArchive a = new WorkerClassArchive(true, dir, JAVA, Duration.ofSeconds(1), said::add);
        List<String> classpath = List.of(protobufJar());
        String key = a.layout(classpath, "-Xmx64m", CWD).orElseThrow().key();
        Path left = dir.resolve(key + ".0.classlist");
        List<String> jdkClasses;
        try (var classes = Files.list(FileSystems.getFileSystem(URI.create("jrt:/")).getPath("modules/java.base/java/util"))) {
            jdkClasses = classes.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".class") && !n.contains("$"))
                    .map(n -> "java/util/" + n.substring(0, n.length() - ".class".length())).limit(150).toList();
        }
        Files.write(left, jdkClasses);
        Files.setLastModifiedTime(left, FileTime.from(Instant.now().minusSeconds(60)));

        // no second recording: the workers start as without an archive until it is made
        assertThat(a.prepare(classpath, "-Xmx64m", CWD)).isEqualTo(new WorkerClassArchive.Launch(List.of(), classpath));
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.isRegularFile(a.archive(key)));
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(left));
        assertThat(said).isEmpty();
        assertThat(a.prepare(classpath, "-Xmx64m", CWD).options()).containsExactly("-XX:SharedArchiveFile=" + a.archive(key));
    }

    private static String run(WorkerClassArchive.Launch launch, String archive) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(JAVA));
        cmd.addAll(ProcessWorkerLauncher.defaultOptions(System.getProperty("java.vm.name")));
        cmd.addAll(launch.options());
        cmd.addAll(List.of("-Xmx64m", "-cp", String.join(File.pathSeparator, launch.classpath()),
                ArchiveProbe.class.getName()));
        if (!archive.isEmpty()) {
            cmd.add(archive);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("probe");
        return out;
    }
}
