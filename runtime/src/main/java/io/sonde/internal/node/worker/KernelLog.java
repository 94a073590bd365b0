package io.sonde.internal.node.worker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The kernel's word on a process it killed for memory, read from {@code dmesg} when the node may
 * read the kernel log (root, or {@code kernel.dmesg_restrict=0}): the line
 * {@code Out of memory: Killed process PID (java) ...} or the {@code oom-kill:...,pid=PID,...} record.
 * Slow (a process and up to a few hundred KB of log): off the node's lock.
 */
public final class KernelLog {
    private static final long WAIT_MS = 2000;
    private static final int MAX_BYTES = 1 << 20;

    private KernelLog() {
    }

    /** The kernel's line on killing {@code pid} for memory; empty when there is none or the log cannot be read. */
    public static Optional<String> oomKillOf(long pid) {
        Process p;
        try {
            p = new ProcessBuilder("dmesg").redirectErrorStream(true).start();
        } catch (IOException e) {
            return Optional.empty();
        }
        try (InputStream in = p.getInputStream()) {
            byte[] bytes = in.readNBytes(MAX_BYTES * 4);
            if (!p.waitFor(WAIT_MS, TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
                return Optional.empty();
            }
            return find(new String(bytes, StandardCharsets.UTF_8), pid);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            p.destroyForcibly();
        }
    }

    /** The last line of {@code log} where the kernel says it killed {@code pid} for memory. */
    static Optional<String> find(String log, long pid) {
        Pattern killed = Pattern.compile("(Out of memory|Memory cgroup out of memory): Killed process " + pid + "\\b");
        Pattern record = Pattern.compile("oom-kill:.*\\bpid=" + pid + "\\b");
        String found = null;
        for (String line : log.split("\\R")) {
            if (killed.matcher(line).find() || (found == null && record.matcher(line).find())) {
                found = line.trim();
            }
        }
        return Optional.ofNullable(found);
    }
}
