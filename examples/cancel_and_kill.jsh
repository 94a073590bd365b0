// Intentional failures: Sonde.cancel and Sonde.kill. Cancelling a task that has not started means
// it never runs; a running task's thread is interrupted; force=true kills the worker process, for
// code that ignores interrupts. get on a cancelled task throws TaskCancelledException at once.
// Killing an actor makes its pending and later calls fail with ActorDiedException.
//
// Run:   ./sonde run examples/cancel_and_kill.jsh
// exit: 0 (every failure is caught)

String outcome(ObjectRef<?> ref) {
    try {
        return "value " + get(ref, Duration.ofSeconds(30));
    } catch (SondeException e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}

// A running task: it sleeps, so the interrupt ends it.
var sleeper = task(() -> {
    System.out.println("sleeping for a minute");
    Thread.sleep(60_000);
    return "woke up";
}).name("sleeper").remote();

// A pending task: it waits for the sleeper's result, so it has not started.
var waiting = task((String s) -> s.length(), sleeper).name("waiting").remote();

Thread.sleep(2_000);                                 // let the sleeper start
cancel(waiting);
System.out.println("pending task:  " + outcome(waiting));
cancel(sleeper);
System.out.println("running task:  " + outcome(sleeper));

// A task that ignores interrupts: only force=true (kill its worker) stops it.
var spinner = task(() -> {
    long spins = 0;
    while (true) {
        spins++;
    }
}).name("spinner").remote();
Thread.sleep(1_000);
cancel(spinner, /*force*/ true, /*recursive*/ false);
System.out.println("forced cancel: " + outcome(spinner));

// An actor killed with Sonde.kill: calls fail with ActorDiedException, and it is not restarted.
class Counter {
    int count;

    int increment() {
        return ++count;
    }
}
var counter = actor(Counter::new).name("counter").remote();
System.out.println("counter: " + outcome(counter.task(Counter::increment).remote()));
kill(counter);
System.out.println("after kill: " + outcome(counter.task(Counter::increment).remote()));
