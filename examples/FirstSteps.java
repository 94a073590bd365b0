// Sonde's first steps: tasks, a failing task, an actor, and worker prints at the driver.
// Run:  java -cp "$(./sonde classpath)" examples/FirstSteps.java
import io.sonde.ActorHandle;
import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.TaskException;

import java.util.ArrayList;
import java.util.List;

public class FirstSteps {
    static int square(int x) {
        System.out.println("squaring " + x);
        return x * x;
    }

    static int divide(int x) {
        return 100 / x;
    }

    public static final class Counter {
        private int count;

        public Counter(int start) {
            count = start;
        }

        public int increment() {
            return ++count;
        }
    }

    public static void main(String[] args) {
        Sonde.init();                                    // embedded cluster: workers are child JVMs

        List<ObjectRef<Integer>> squares = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            squares.add(Sonde.task(FirstSteps::square, i).name("square").remote());
        }
        System.out.println("squares: " + Sonde.get(squares));

        ObjectRef<Integer> a = Sonde.task(() -> 1).remote();
        ObjectRef<Integer> b = Sonde.task((Integer x) -> x + 1, a).remote();   // refs resolve to values
        System.out.println("b = " + Sonde.get(b));

        try {
            Sonde.get(Sonde.task(FirstSteps::divide, 0).name("divide").remote());
        } catch (TaskException e) {
            System.out.println("caught: " + e.getMessage());
            System.out.println("cause:  " + e.getCause());
        }

        ActorHandle<Counter> counter = Sonde.actor(Counter::new, 10).name("counter").remote();
        counter.task(Counter::increment).remote();
        System.out.println("counter = " + Sonde.get(counter.task(Counter::increment).remote()));

        Sonde.shutdown();
    }
}
