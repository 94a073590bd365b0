package io.sonde.cli.table;

import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The options of {@code sonde memory} and the shell's {@code /memory}, parsed in one place: the
 * verb mixes this class in ({@code @Mixin}), the shell hands its argument text to {@link #parse},
 * so the two accept the same words and say the same things about wrong ones.
 */
public final class MemoryOptions {
    /** As {@code ray memory}'s default: a few screens, not a node's hundred thousand objects. */
    public static final int DEFAULT_LIMIT = 200;
    /** What the shell's {@code /help} shows after {@code /memory}. */
    public static final String SYNOPSIS = "[--group-by node|stack] [--sort-by size|id] [--stats-only] [--limit N]";

    /** How rows are gathered into sections. */
    public enum GroupBy {
        /** One section per node. */
        NODE,
        /** One section per call site: which line of the program created how much. */
        STACK
    }

    /** The order of rows within a section, and of the sections. */
    public enum SortBy {
        /** Largest first, so a truncated list leaves out the smallest. */
        SIZE,
        /** By object id. */
        ID
    }

    @Option(names = "--group-by", paramLabel = "node|stack", defaultValue = "node", converter = GroupByConverter.class,
            description = "One section per node, or per call site (stack: where each object was put or its task"
                    + " submitted; needs SONDE_RECORD_REF_CREATION_SITES=1 in the driver). Default: ${DEFAULT-VALUE}.")
    GroupBy groupBy = GroupBy.NODE;

    @Option(names = "--sort-by", paramLabel = "size|id", defaultValue = "size", converter = SortByConverter.class,
            description = "Largest first, or by object id. Default: ${DEFAULT-VALUE}.")
    SortBy sortBy = SortBy.SIZE;

    @Option(names = "--stats-only", description = "Only the summaries and the object store's figures, no rows.")
    boolean statsOnly;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "" + DEFAULT_LIMIT,
            description = "Show at most N objects; the output says how many more there are. Default: ${DEFAULT-VALUE}.")
    int limit = DEFAULT_LIMIT;

    @Option(names = "--heap", paramLabel = "<worker-id|pid|actor-name|task-id|driver>",
            description = "Instead of the objects: that worker's class histogram (live objects, after a full GC): the top"
                    + " classes by bytes and by count.")
    String heap;

    @Option(names = "--by-name", description = "Instead of the objects: the workers' memory (RSS - shared, and heap"
            + " used) summed by the function or actor class they run, heaviest first; and, from the workers' latest"
            + " live-allocation profiles (`sonde profile <worker> --event alloc --live`), the live bytes by allocating"
            + " method and by allocated class.")
    boolean byName;

    @Option(names = "--leaks", description = "Instead of the objects: the workers suspected of leaking memory (their"
            + " heap after GC or RSS kept growing), each with the report of the profile Sonde took of it.")
    boolean leaks;

    @Option(names = "--heap-dump", paramLabel = "FILE",
            description = "With --heap: write an HPROF dump of the worker's live objects to FILE (a path of the worker's"
                    + " machine) instead, for Eclipse MAT or VisualVM.")
    java.nio.file.Path heapDump;

    public MemoryOptions() {
    }

    public MemoryOptions(GroupBy groupBy, SortBy sortBy, boolean statsOnly, int limit) {
        this.groupBy = groupBy;
        this.sortBy = sortBy;
        this.statsOnly = statsOnly;
        this.limit = limit;
        check();
    }

    /**
     * The options in {@code arguments} (the shell's text after {@code /memory}).
     *
     * @throws IllegalArgumentException they are not {@code sonde memory}'s options; the message says
     *                                  which word is wrong and what is taken
     */
    public static MemoryOptions parse(String arguments) {
        MemoryOptions o = new MemoryOptions();
        String[] words = arguments == null || arguments.isBlank() ? new String[0] : arguments.strip().split("\\s+");
        try {
            new CommandLine(o).parseArgs(words);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage() + ". Options: " + SYNOPSIS + "; or --heap <worker>"
                    + " [--heap-dump FILE]; or --by-name; or --leaks.", e);
        }
        o.check();
        return o;
    }

    /**
     * @throws IllegalArgumentException the limit is below 1
     */
    public MemoryOptions check() {
        if (heapDump != null && heap == null) {
            throw new IllegalArgumentException("--heap-dump writes the heap of the worker --heap names: give both, e.g."
                    + " --heap WORKER_ID --heap-dump worker.hprof.");
        }
        if (leaks && heap != null) {
            throw new IllegalArgumentException("--leaks lists the leak suspects of every worker: give it without --heap.");
        }
        if (leaks && byName) {
            throw new IllegalArgumentException("--leaks lists the leak suspects, --by-name the workers' memory by what they"
                    + " run: give one of them.");
        }
        if (byName && heap != null) {
            throw new IllegalArgumentException("--by-name sums every worker of the node, --heap reads one: give one of"
                    + " them.");
        }
        if (limit < 1) {
            throw new IllegalArgumentException("--limit must be 1 or more, got " + limit
                    + "; --stats-only shows the summaries without rows.");
        }
        return this;
    }

    /** The worker whose heap {@code --heap} asks for, or null: then the objects are listed. */
    public String heap() {
        return heap;
    }

    /** Whether {@code --by-name} asks for the workers' memory by what they run instead of the objects. */
    public boolean byName() {
        return byName;
    }

    /** Whether {@code --leaks} asks for the leak suspects instead of the objects. */
    public boolean leaks() {
        return leaks;
    }

    /** Where {@code --heap-dump} writes, or null for the histogram. */
    public java.nio.file.Path heapDump() {
        return heapDump;
    }

    public GroupBy groupBy() {
        return groupBy;
    }

    public SortBy sortBy() {
        return sortBy;
    }

    public boolean statsOnly() {
        return statsOnly;
    }

    public int limit() {
        return limit;
    }

    static String label(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static <E extends Enum<E>> E value(Class<E> type, String option, String text) {
        for (E e : type.getEnumConstants()) {
            if (label(e).equalsIgnoreCase(text.strip())) {
                return e;
            }
        }
        List<String> taken = Arrays.stream(type.getEnumConstants()).map(MemoryOptions::label).toList();
        throw new TypeConversionException("'" + text + "' is not a choice of " + option + ": take "
                + String.join(" or ", taken));
    }

    static final class GroupByConverter implements ITypeConverter<GroupBy> {
        @Override
        public GroupBy convert(String text) {
            return value(GroupBy.class, "--group-by", text);
        }
    }

    static final class SortByConverter implements ITypeConverter<SortBy> {
        @Override
        public SortBy convert(String text) {
            return value(SortBy.class, "--sort-by", text);
        }
    }
}
