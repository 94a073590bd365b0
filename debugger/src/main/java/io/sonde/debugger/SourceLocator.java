package io.sonde.debugger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the source file of a frame under the source path and prints lines of it with a marker
 * on the current one. A file is looked up by its path in the package ({@code io/x/Tasks.java})
 * first, then by its bare name, in each root in order.
 */
public final class SourceLocator {
    /** Lines shown before and after the current one. */
    public static final int CONTEXT = 4;
    private final List<Path> roots;
    private final Map<Path, List<String>> cache = new HashMap<>();

    public SourceLocator(List<Path> roots) {
        this.roots = List.copyOf(roots);
    }

    /** {@code src/main/java}, {@code src/test/java} and {@code .} of the current directory. */
    public static List<Path> defaultRoots() {
        return List.of(Path.of("src/main/java"), Path.of("src/test/java"), Path.of("."));
    }

    /** A colon-separated list of directories ({@code File.pathSeparator}); null or blank: the default. */
    public static List<Path> parse(String sourcepath) {
        if (sourcepath == null || sourcepath.isBlank()) {
            return defaultRoots();
        }
        List<Path> roots = new ArrayList<>();
        for (String s : sourcepath.split(java.io.File.pathSeparator)) {
            if (!s.isBlank()) {
                roots.add(Path.of(s.trim()));
            }
        }
        return roots;
    }

    public List<Path> roots() {
        return roots;
    }

    /**
     * The file for a class: {@code packagePath} is the JDI source path ({@code io/x/Tasks.java}),
     * {@code fileName} the bare name; either may be null.
     */
    public Optional<Path> find(String packagePath, String fileName) {
        for (Path root : roots) {
            for (String candidate : new String[] {packagePath, fileName}) {
                if (candidate == null || candidate.isEmpty()) {
                    continue;
                }
                Path p = root.resolve(candidate);
                if (Files.isRegularFile(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /** Files looked at, at most, before {@link #mayHold} gives up and assumes the file may be there. */
    private static final int SEARCH_LIMIT = 20_000;

    /**
     * Whether a source file of this name may be on the source path: found by its package path or,
     * anywhere under a root, by its bare name ({@code Tasks.java}); also true when the roots are
     * too large to search quickly. For {@code break}'s warning that nothing can match yet.
     */
    public boolean mayHold(String packagePath, String fileName) {
        if (find(packagePath, fileName).isPresent()) {
            return true;
        }
        int[] seen = {0};
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (java.util.stream.Stream<Path> walk = Files.walk(root, 32)) {
                java.util.Iterator<Path> it = walk.iterator();
                while (it.hasNext()) {
                    Path p = it.next();
                    if (++seen[0] > SEARCH_LIMIT) {
                        return true;
                    }
                    if (p.getFileName() != null && p.getFileName().toString().equals(fileName)) {
                        return true;
                    }
                }
            } catch (IOException | java.io.UncheckedIOException | SecurityException unreadable) {
                return true; // cannot tell: do not warn
            }
        }
        return false;
    }

    /** The file's lines, or empty when it cannot be read. */
    public List<String> lines(Path file) {
        return cache.computeIfAbsent(file.toAbsolutePath().normalize(), f -> {
            try {
                return Files.readAllLines(f, StandardCharsets.UTF_8);
            } catch (CharacterCodingException e) {
                try {
                    return Files.readAllLines(f, StandardCharsets.ISO_8859_1);
                } catch (IOException again) {
                    return List.of();
                }
            } catch (IOException e) {
                return List.of();
            }
        });
    }

    /**
     * Lines {@code from..to} (1-based, clipped to the file) with their numbers, the current line
     * marked {@code =>}.
     */
    public static String render(List<String> lines, int from, int to, int current) {
        StringBuilder b = new StringBuilder();
        int first = Math.max(1, from);
        int last = Math.min(lines.size(), to);
        int width = Integer.toString(Math.max(last, 1)).length();
        for (int n = first; n <= last; n++) {
            String number = String.format("%" + width + "d", n);
            b.append(n == current ? "=> " : "   ").append(number).append("  ")
                    .append(lines.get(n - 1).replace("\t", "    ")).append('\n');
        }
        return b.toString();
    }
}
