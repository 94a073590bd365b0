package io.sonde.shell.repl.commands;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Tab completion of file names for {@code /open} and {@code /save}. */
final class FileArguments {
    private FileArguments() {
    }

    /** Entries of the folder {@code typed} points into; folders end with {@code /}. */
    static List<String> complete(String typed) {
        String t = typed.startsWith("~/") ? System.getProperty("user.home") + typed.substring(1) : typed;
        int slash = t.lastIndexOf('/');
        String dirPart = slash < 0 ? "" : t.substring(0, slash + 1);
        Path dir = Path.of(dirPart.isEmpty() ? "." : dirPart);
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = java.nio.file.Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                String shown = (typed.startsWith("~/") && slash >= 0 ? "~/" + dirPart.substring(
                        System.getProperty("user.home").length() + 1) : dirPart) + name;
                out.add(java.nio.file.Files.isDirectory(p) ? shown + "/" : shown);
            }
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        return out;
    }

    static Path path(String typed) {
        return Path.of(typed.startsWith("~/") ? System.getProperty("user.home") + typed.substring(1) : typed);
    }
}
