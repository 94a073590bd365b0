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

    public static String cpus(double n) {
        return String.format(Locale.ROOT, "%.1f", n);
    }

    /** Pids are 0 until a process exists; show that as empty rather than as a real pid. */
    public static String pid(long pid) {
        return pid > 0 ? Long.toString(pid) : "";
    }
}
