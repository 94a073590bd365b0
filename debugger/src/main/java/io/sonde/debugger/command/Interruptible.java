package io.sonde.debugger.command;

import io.sonde.debugger.WaitInterrupt;

import java.util.function.Supplier;

/** Runs an evaluation that Ctrl-C interrupts in the worker, leaving the task stopped. */
final class Interruptible {
    private Interruptible() {
    }

    static <T> T run(CommandContext ctx, Supplier<T> evaluation) {
        try (WaitInterrupt ignored = WaitInterrupt.onSigint(() -> ctx.session().interruptEvaluation())) {
            return evaluation.get();
        }
    }
}
