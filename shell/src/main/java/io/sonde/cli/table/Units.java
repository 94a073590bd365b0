package io.sonde.cli.table;

import java.util.Locale;

/** How sizes and counts are written for people: binary units, one decimal, like Ray's status. */
public final class Units {
    private static final String[] BINARY = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

    private Units() {
    }

    /** {@code 1288490188} gives {@code 1.2GiB}; unknown (negative) sizes give an empty string. */
    public static String bytes(long n) {
        if (n < 0) {
            return "";
        }
        if (n < 1024) {
            return n + "B";
        }
        double v = n;
        int unit = 0;
        while (v >= 1024 && unit < BINARY.length - 1) {
            v /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f%s", v, BINARY[unit]);
    }

    /**
     * A size as people write it: {@code 1073741824}, {@code 1g}, {@code 1GiB}, {@code 512m},
     * {@code 512MiB}, {@code 64k} (binary units, case ignored; a bare number is bytes).
     *
     * @throws IllegalArgumentException it is not such a size; the message shows the forms taken
     */
    public static long parseBytes(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace(" ", "");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)(b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)?")
                .matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a size: write bytes (1073741824) or a number with"
                    + " a binary unit (512m, 512MiB, 1g, 1GiB)");
        }
        String unit = m.group(2) == null ? "b" : m.group(2);
        int shift = switch (unit.charAt(0)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            default -> 0;
        };
        double v = Double.parseDouble(m.group(1)) * (1L << shift);
        if (v >= Long.MAX_VALUE) {
            throw new IllegalArgumentException("\"" + text + "\" is too large a size");
        }
        return (long) v;
    }

    /**
     * The value of a {@code --memory} option ({@link #parseBytes}), which must be more than 0.
     *
     * @throws IllegalArgumentException it is not such a size; the message starts with "--memory: "
     *                                  and says what is taken
     */
    public static long memoryOption(String text) {
        return sizeOption("--memory", text, "the cgroup's limit or the machine's memory");
    }

    /**
     * The value of an {@code --object-store-memory} option ({@link #parseBytes}), which must be
     * more than 0.
     *
     * @throws IllegalArgumentException it is not such a size; the message starts with
     *                                  "--object-store-memory: " and says what is taken
     */
    public static long objectStoreMemoryOption(String text) {
        return sizeOption("--object-store-memory", text, "30% of the node's memory");
    }

    /**
     * The value of a size option ({@link #parseBytes}), which must be more than 0: what every
     * option of bytes takes.
     *
     * @param flag    the option, which starts the message
     * @param unset   what the node takes without the option, for the message: "the machine's memory"
     * @throws IllegalArgumentException it is not such a size, is negative or is 0; the message says
     *                                  what is taken
     */
    public static long sizeOption(String flag, String text, String unset) {
        if (text != null && text.trim().startsWith("-")) {
            throw new IllegalArgumentException(flag + ": \"" + text + "\" is negative: give a size of more than 0"
                    + " bytes (1073741824, 512m, 1g, 1GiB), or leave it out for " + unset + ".");
        }
        long bytes;
        try {
            bytes = parseBytes(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage() + ".", e);
        }
        if (bytes <= 0) {
            throw new IllegalArgumentException(flag + ": \"" + text + "\" is no memory: give more than 0 bytes, or"
                    + " leave it out for " + unset + ".");
        }
        return bytes;
    }

    public static String cpus(double n) {
        return String.format(Locale.ROOT, "%.1f", n);
    }

    /** Pids are 0 until a process exists; show that as empty rather than as a real pid. */
    public static String pid(long pid) {
        return pid > 0 ? Long.toString(pid) : "";
    }
}
