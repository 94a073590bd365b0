package io.sonde.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** Runs `sonde ...` in this JVM through the same picocli entry as the real CLI, capturing its output. */
final class Cli {
    record Run(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    private Cli() {
    }

    /** With an empty environment, so a SONDE_ADDRESS of the person running the tests is not used. */
    static Run sonde(String... args) {
        return sonde(Map.of(), args);
    }

    static Run sonde(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = SondeMain.commandLine(env);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
