package io.sonde.internal.node.worker;

/** Words for how a process ended, as the JVM reports it (128 + signal for a signalled process). */
public final class ExitDetail {
    private ExitDetail() {
    }

    public static String describe(int exitCode) {
        if (exitCode > 128 && exitCode < 128 + 65) {
            int signal = exitCode - 128;
            String name = signalName(signal);
            return "exit code " + exitCode + " (killed by signal " + signal + (name.isEmpty() ? "" : ", " + name) + ")";
        }
        return "exit code " + exitCode;
    }

    /** "signal 9 (SIGKILL)", or "signal 40" for a signal without a well-known name. */
    public static String signal(int signal) {
        String name = signalName(signal);
        return "signal " + signal + (name.isEmpty() ? "" : " (" + name + ")");
    }

    private static String signalName(int signal) {
        return switch (signal) {
            case 1 -> "SIGHUP";
            case 2 -> "SIGINT";
            case 3 -> "SIGQUIT";
            case 4 -> "SIGILL";
            case 6 -> "SIGABRT";
            case 7 -> "SIGBUS";
            case 8 -> "SIGFPE";
            case 9 -> "SIGKILL";
            case 11 -> "SIGSEGV";
            case 13 -> "SIGPIPE";
            case 14 -> "SIGALRM";
            case 15 -> "SIGTERM";
            default -> "";
        };
    }
}
