package io.sonde.internal.node.worker;

/** Words for how a process ended, as the JVM reports it (128 + signal for a signalled process). */
public final class ExitDetail {
    private ExitDetail() {
    }

    public static String describe(int exitCode) {
        if (exitCode > 128 && exitCode < 128 + 65) {
            int signal = exitCode - 128;
            return "exit code " + exitCode + " (killed by signal " + signal + signalName(signal) + ")";
        }
        return "exit code " + exitCode;
    }

    private static String signalName(int signal) {
        return switch (signal) {
            case 9 -> ", SIGKILL";
            case 15 -> ", SIGTERM";
            case 11 -> ", SIGSEGV";
            case 6 -> ", SIGABRT";
            case 2 -> ", SIGINT";
            case 1 -> ", SIGHUP";
            case 7 -> ", SIGBUS";
            default -> "";
        };
    }

    /** The seed's list of likely causes, in Sonde's words. */
    public static String likelyCauses() {
        return "There are some potential root causes: (1) the process was killed by SIGKILL by the OOM killer due"
                + " to high memory usage, (2) `sonde stop --force` was called, (3) the worker crashed by SIGSEGV or"
                + " another unexpected error.";
    }
}
