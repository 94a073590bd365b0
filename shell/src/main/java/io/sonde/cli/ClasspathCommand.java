package io.sonde.cli;

import io.sonde.Sonde;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code sonde classpath}: what a program that uses Sonde needs on its classpath, so it can be
 * compiled and run without a build tool.
 *
 * <p>It is this CLI's own {@code java.class.path} minus the entries that only the CLI needs (the
 * locations that hold the shell's classes and picocli), rather than a list baked in at build time:
 * whatever runtime this CLI runs with is, by construction, one whose jars exist and work together.
 * Shell-only dependencies added later go into {@link #SHELL_ONLY}.
 */
@Command(name = "classpath",
        description = {"Print the classpath a program that uses Sonde needs: the runtime jar and its dependencies.",
                "  java -cp \"$(sonde classpath)\" Main.java               a single-file program",
                "  java -cp \"$(sonde classpath):myapp.jar\" my.Main       a compiled one"})
final class ClasspathCommand implements Callable<Integer> {
    /** One class from each classpath entry that only the CLI needs. */
    private static final List<Class<?>> SHELL_ONLY = List.of(SondeMain.class, CommandLine.class);

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println(String.join(File.pathSeparator, runtimeClasspath()));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** Absolute entries, in classpath order, with the runtime's own jar guaranteed to be among them. */
    static List<String> runtimeClasspath() {
        Set<Path> shellOnly = new LinkedHashSet<>();
        for (Class<?> c : SHELL_ONLY) {
            location(c).ifPresent(shellOnly::add);
        }
        Set<Path> entries = new LinkedHashSet<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.isBlank()) {
                continue;
            }
            Path p = Path.of(e).toAbsolutePath().normalize();
            if (!shellOnly.contains(p)) {
                entries.add(p);
            }
        }
        Optional<Path> runtime = location(Sonde.class);
        List<String> result = new ArrayList<>();
        if (runtime.isPresent() && !entries.contains(runtime.get())) {
            result.add(runtime.get().toString());
        }
        entries.forEach(p -> result.add(p.toString()));
        return result;
    }

    private static Optional<Path> location(Class<?> c) {
        try {
            var source = c.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                return Optional.empty();
            }
            return Optional.of(Path.of(source.getLocation().toURI()).toAbsolutePath().normalize());
        } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
            return Optional.empty();
        }
    }
}
