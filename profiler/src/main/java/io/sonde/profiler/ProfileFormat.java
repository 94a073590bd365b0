package io.sonde.profiler;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What {@code sonde profile --format} writes besides the summary. Stateless. */
public enum ProfileFormat {
    /** async-profiler's own HTML flame graph. */
    HTML("html"),
    /** One line per stack, {@code frame;frame;frame count}: for flamegraph.pl, speedscope and diffs. */
    COLLAPSED("collapsed"),
    /** No file: the summary only. */
    FLAT(""),
    /** A JFR recording, for JDK Mission Control or {@code jfr print}. */
    JFR("jfr");

    private final String extension;

    ProfileFormat(String extension) {
        this.extension = extension;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The file name's extension, without the dot; empty for {@link #FLAT}, which writes none. */
    public String extension() {
        return extension;
    }

    /**
     * The format named on the command line.
     *
     * @throws IllegalArgumentException for another word; the message lists the formats
     */
    public static ProfileFormat parse(String word) {
        for (ProfileFormat f : values()) {
            if (f.id().equalsIgnoreCase(word.trim())) {
                return f;
            }
        }
        throw new IllegalArgumentException("Unknown format '" + word + "': give one of "
                + Arrays.stream(values()).map(ProfileFormat::id).collect(Collectors.joining(", ")) + ".");
    }
}
