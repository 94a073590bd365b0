package io.sonde.testing;

import java.io.IOException;

/** Worker processes as the operating system sees them, for tests of what happens when one dies. */
public final class Processes {
    private Processes() {
    }

    /** Sends SIGKILL to {@code pid}, as the OOM killer or {@code kill -9} does, and waits for the signal to be sent. */
    public static void kill9(long pid) {
        try {
            new ProcessBuilder("kill", "-9", Long.toString(pid)).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill -9 " + pid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether process {@code pid} exists and has not exited. */
    public static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
