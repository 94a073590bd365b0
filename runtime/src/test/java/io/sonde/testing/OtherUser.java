package io.sonde.testing;

import org.junit.jupiter.api.Assumptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A second local user for the tests of what another uid on the machine must not reach: created
 * with {@code useradd} when the tests run as root, its commands run with {@code runuser}. Where that
 * cannot be done the test is skipped, and the reason printed.
 */
public final class OtherUser {
    public static final String NAME = "sonde-other";

    /** A command's exit code and its output (stdout and stderr together). */
    public record Result(int exit, String output) {
    }

    private OtherUser() {
    }

    /** Makes sure the user exists; else aborts the calling test (or class) with the reason, printed. */
    public static void requireOrSkip(String test) throws Exception {
        String why = null;
        if (!"root".equals(System.getProperty("user.name"))) {
            why = "it runs as " + System.getProperty("user.name") + ", and only root can create and become another user";
        } else if (!Files.isExecutable(Path.of("/usr/sbin/runuser")) || !Files.isExecutable(Path.of("/usr/sbin/useradd"))) {
            why = "runuser or useradd is missing";
        } else if (run(List.of("id", NAME)).exit() != 0) {
            Result added = run(List.of("/usr/sbin/useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", NAME));
            if (added.exit() != 0) {
                why = "useradd " + NAME + " failed: " + added.output();
            }
        }
        if (why != null) {
            System.out.println(test + " skipped: " + why + ".");
            Assumptions.abort(why);
        }
    }

    /** Runs a command as the other user. */
    public static Result run(List<String> command, boolean asOther) throws Exception {
        List<String> full = new ArrayList<>(List.of("/usr/sbin/runuser", "-u", NAME, "--"));
        full.addAll(command);
        return run(asOther ? full : command);
    }

    /** Runs a command as this process's user; its stdin is empty. */
    public static Result run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(command + " did not end within 120 s; its output: " + out);
        }
        return new Result(p.exitValue(), out);
    }
}
