// Print debugging: what tasks and actors print on workers appears here, prefixed with the task's
// name (the actor's class for actors) and the worker's pid — stdout to stdout, stderr to stderr.
// The same line printed by several workers at about the same time is folded, as Ray does: the
// first one is printed, the others become one "[repeated Nx across cluster]" line. Numbers do not
// count, so "step 1 loss 0.5" and "step 7 loss 0.3" are the same line. Every line is also in the
// worker's log file.
//
// Run:   ./sonde run examples/print_debugging.jsh
// exit: 0

int square(int x) {
    System.out.println("squaring " + x);
    return x * x;
}

List<ObjectRef<Integer>> squares = new ArrayList<>();
for (int i = 1; i <= 3; i++) {
    squares.add(task((Integer x) -> square(x), i).name("square").remote());
}
System.out.println("squares: " + get(squares));

var warn = task(() -> {
    System.err.println("warning: input has no header row");
    return 0;
}).name("check").remote();
get(warn);

// Three actors, each a worker process of its own, print the same lines.
class Trainer {
    final int rank;

    Trainer(int rank) {
        this.rank = rank;
    }

    int rank() {
        return rank;
    }

    int epoch() {
        System.out.println("loading model weights");
        System.out.println("step " + rank + " loss 0." + (7 - rank));
        return rank;
    }
}

List<ActorHandle<Trainer>> trainers = new ArrayList<>();
for (int rank = 1; rank <= 3; rank++) {
    trainers.add(actor((Integer r) -> new Trainer(r), rank).remote());
}
for (ActorHandle<Trainer> t : trainers) {
    get(t.task(Trainer::rank).remote());              // wait until every actor's process is up
}
List<ObjectRef<Integer>> epochs = new ArrayList<>();
for (ActorHandle<Trainer> t : trainers) {
    epochs.add(t.task(Trainer::epoch).remote());
}
System.out.println("epochs done: " + get(epochs));
// The folded lines are printed when their 5-second window closes, or when the script ends.
