package io.sonde.cli.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The CPU time the JIT compilers have used so far in this JVM and its child processes (an
 * embedded cluster's workers), read from {@code /proc}: the threads named {@code C1 CompilerThre}
 * and {@code C2 CompilerThre}. On two cores the compilers of a driver and a fresh worker JVM take
 * tens of seconds of calls to settle, and a rate measured while they compile measures them.
 */
final class JitActivity {
    /** Linux reports thread times in clock ticks of 1/100 s (USER_HZ) on every architecture Sonde runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private JitActivity() {
    }

    /** The compilers' CPU time so far, in nanoseconds; empty where {@code /proc} cannot tell (not Linux). */
    static OptionalLong compilerCpuNanos() {
        List<ProcessHandle> processes = new ArrayList<>();
        processes.add(ProcessHandle.current());
        ProcessHandle.current().descendants().forEach(processes::add);
        long ticks = 0;
        boolean read = false;
        for (ProcessHandle p : processes) {
            Path tasks = Path.of("/proc", Long.toString(p.pid()), "task");
            try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
                for (Path thread : threads) {
                    ticks += compilerTicks(thread.resolve("stat"));
                }
                read = true;
            } catch (IOException | RuntimeException e) {
                // the process or thread exited while being read, or there is no /proc: count the rest
            }
        }
        return read ? OptionalLong.of(ticks * NANOS_PER_TICK) : OptionalLong.empty();
    }

    /** User and system ticks of one thread when it is a JIT compiler thread, else 0. */
    static long compilerTicks(Path stat) {
        String s;
        try {
            s = Files.readString(stat);
        } catch (IOException e) {
            return 0; // the thread ended
        }
        int open = s.indexOf('(');
        int close = s.lastIndexOf(')');
        if (open < 0 || close < open) {
            return 0;
        }
        String name = s.substring(open + 1, close);
        if (!name.startsWith("C1 CompilerThre") && !name.startsWith("C2 CompilerThre")) {
            return 0;
        }
        // after "pid (comm) ": state is field 3; utime and stime are fields 14 and 15
        String[] f = s.substring(close + 2).split(" ");
        return f.length > 12 ? Long.parseLong(f[11]) + Long.parseLong(f[12]) : 0;
    }
}
