// An uncaught failure ends the script: `sonde run` prints which snippet of the script failed and
// the exception, with every frame in script code shown as its line in this file — the line that
// called get, and the lines the task ran on the worker — then exits with status 1.
//
// Run:   ./sonde run examples/uncaught_failure.jsh
// exit: 1 (on purpose: snippet 3, the get, throws a TaskException nobody catches)

int ratio(int total, int parts) {
    return total / parts;
}

var r = task((Integer parts) -> ratio(100, parts), 0).name("ratio").remote();

get(r);

System.out.println("never printed: the script stops at the failed snippet");
