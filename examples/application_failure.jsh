// Application failures: the task's own code throws. Where Ray raises a RayTaskError wrapping the
// ValueError, Sonde.get throws a TaskException whose cause is the task's exception, with its own
// class and the stack trace it had on the worker, so catch and instanceof work as in one process.
// A task whose argument is a failed ref does not run: it fails with that same error.
// Exceptions are not retried unless the task asks for it (retryExceptions).
//
// Run:   ./sonde run examples/application_failure.jsh
// exit: 0 (every failure is caught)

int parse(String text) {
    return Integer.parseInt(text.strip());
}

// 1. The task throws; get throws TaskException, caused by the worker's NumberFormatException.
var bad = task((String s) -> parse(s), "forty-two").name("parse").remote();
try {
    get(bad);
} catch (TaskException e) {
    System.out.println("caught:   " + e.getMessage());
    System.out.println("cause:    " + e.getCause());
    System.out.println("cause is a NumberFormatException: " + (e.getCause() instanceof NumberFormatException));
    System.out.println("thrown at " + e.getCause().getStackTrace()[0]);
}

// 2. A failed ref passed on: "double" never runs, and its ref holds parse's error.
var doubled = task((Integer n) -> n * 2, bad).name("double").remote();
try {
    get(doubled);
} catch (TaskException e) {
    System.out.println("downstream: " + e.getMessage());
}

// 3. A flaky task retried on its exception: attempt 0 throws, attempt 1 succeeds.
var flaky = task(() -> {
            int attempt = context().attemptNumber();
            if (attempt == 0) {
                throw new java.io.UncheckedIOException(new java.io.IOException("connection reset"));
            }
            return "ok on attempt " + attempt;
        })
        .name("flaky")
        .retryExceptions(true)
        .maxRetries(2)
        .remote();
System.out.println("flaky: " + get(flaky));
