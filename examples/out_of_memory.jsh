// Debugging out of memory: a task that keeps allocating outgrows its node. Before the kernel's OOM
// killer steps in, the node's memory monitor kills the worker (the node's workers together use
// more than 0.95 of its memory), retries the task with a backoff (oomRetries, 15 by default; 1
// here), and once no retry is left get throws OutOfMemoryException, whose message names the
// node, the task and its memory, why this worker was chosen, the top processes and what to do.
// The driver and the other workers carry on.
//
// Run:   ./sonde run --memory 1g examples/out_of_memory.jsh
// exit: 0 (the failure is caught)

int hog() throws Exception {
    var kept = new java.util.ArrayList<byte[]>();
    while (true) {                                   // 16 MiB more every 50 ms, each page touched
        byte[] chunk = new byte[16 << 20];
        java.util.Arrays.fill(chunk, (byte) 1);
        kept.add(chunk);
        Thread.sleep(50);
    }
}

// A worker's own heap ceiling is, by default, the node's threshold: whichever of the two the task
// reaches first ends it. Its heap may grow past the node here, so the monitor is what stops it.
var r = task(() -> hog()).name("hog").oomRetries(1).jvmOptions("-Xmx2g").remote();
try {
    get(r);
} catch (OutOfMemoryException e) {
    System.out.println("OutOfMemoryException: " + e.getMessage());
}
System.out.println("the driver carries on: " + get(task(() -> 6 * 7).name("after").remote()));
