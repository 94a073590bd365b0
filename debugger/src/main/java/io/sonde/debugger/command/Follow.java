package io.sonde.debugger.command;

import io.sonde.debugger.proto.BreakpointInfo;

import java.util.function.Predicate;

/**
 * After {@code remote} or {@code get}: the console waits for the stop they lead to and attaches
 * to it, as {@code ray debug} does.
 *
 * @param waiting what the console prints while it waits
 * @param match   the stop to attach to
 */
public record Follow(String waiting, Predicate<BreakpointInfo> match) {
}
