package io.sonde.internal.node.memory;

/** Byte counts for people: "1.25 GiB", "312.0 MiB", "12.5 KiB", "600 bytes". */
public final class Bytes {
    private Bytes() {
    }

    public static String human(long bytes) {
        double gib = bytes / (1024.0 * 1024 * 1024);
        if (gib >= 1) {
            return String.format(java.util.Locale.ROOT, "%.2f GiB", gib);
        }
        if (bytes >= 1024 * 1024) {
            return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
        }
        if (bytes >= 1024) {
            return String.format(java.util.Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        return bytes + " bytes";
    }
}
