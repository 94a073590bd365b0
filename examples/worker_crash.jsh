// Unintended failures: the worker process running a task dies (here it kills itself with
// `kill -9`, as the Linux OOM killer would). The task is retried on a new worker, up to maxRetries
// times (3 by default). With maxRetries(0) get throws WorkerCrashedException, whose message gives
// the exit code and signal, the likely causes and the worker's log file.
//
// Run:   ./sonde run examples/worker_crash.jsh
// exit: 0 (the crash is caught)

int crash() throws Exception {
    long pid = ProcessHandle.current().pid();
    System.out.println(context().taskName() + ", attempt " + context().attemptNumber() + ": kill -9 " + pid + " (my own process)");
    new ProcessBuilder("kill", "-9", String.valueOf(pid)).start().waitFor();
    Thread.sleep(10_000);                             // not reached: the process is gone
    return -1;
}

// Dies on its first attempt only, so the retry succeeds.
var retried = task(() -> context().attemptNumber() == 0 ? crash() : context().attemptNumber())
        .name("flaky_worker")
        .remote();
System.out.println("retried task returned on attempt " + get(retried));

// Dies and may not be retried.
var once = task(() -> crash()).name("no_retries").maxRetries(0).remote();
try {
    get(once);
} catch (WorkerCrashedException e) {
    System.out.println("WorkerCrashedException: " + e.getMessage());
}
