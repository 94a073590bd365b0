package io.sonde.debugger;

/**
 * Where a {@link DebugConsole} reads its lines when it does not read a plain stream: a line
 * editor on a terminal (the shell's), which shows the prompt itself.
 */
@FunctionalInterface
public interface LineInput {
    /** Shows {@code prompt} and returns the line typed after it, or null at the end of the input. */
    String readLine(String prompt);
}
