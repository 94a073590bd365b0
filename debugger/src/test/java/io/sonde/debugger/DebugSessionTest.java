package io.sonde.debugger;

import io.sonde.ActorHandle;
import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.debugger.proto.BreakpointInfo;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The session API against real worker JVMs over real JDWP: attach, look, evaluate, step, continue. */
class DebugSessionTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);
    static final NodeBreakpoints breakpoints = new NodeBreakpoints(cluster);

    static final Duration ATTACH = Duration.ofSeconds(10);

    static final class Box {
        int n;
        String label;

        Box(int n, String label) {
            this.n = n;
            this.label = label;
        }

        int doubled() {
            return n * 2;
        }
    }

    static int compute(int x) {
        int y = x * x;
        String name = "sonde-" + x;
        Box box = new Box(x, "b" + x);
        Sonde.breakpoint();
        int z = y + name.length();
        int w = twice(z);
        return w + box.n;
    }

    static int twice(int v) {
        int r = v * 2;
        return r;
    }

    static String values(int x) {
        int[] arr = {1, 2, 3};
        List<Integer> xs = List.of(10, 20, 30);
        Map<String, Integer> map = Map.of("a", 1);
        long big = 1L << 40;
        double half = x / 2.0;
        char c = 'q';
        Box box = new Box(x, "label");
        Box none = null;
        String s = "  Hello  ";
        Sonde.breakpoint();
        return s.trim() + arr[0] + xs.get(0) + big + half + c + box.n + (none == null);
    }

    static int sumWithLambda(int x) {
        int total = 0;
        Sonde.breakpoint();
        Function<Integer, Integer> inc = v -> v + 1;
        total = inc.apply(x);
        return total;
    }

    static int loop(int n) {
        int sum = 0;
        Sonde.breakpoint();
        for (int i = 0; i < n; i++) {
            sum += i;
        }
        return sum;
    }

    static int parkedTwice(int x) {
        int a = x + 1;
        Sonde.breakpoint();
        int b = a * 2;
        Sonde.breakpoint();
        return b;
    }

    static int forEachSum(int x) {
        int[] acc = {0};
        Sonde.breakpoint();
        List.of(x, x + 1).forEach(v -> {
            acc[0] += v;
        });
        return acc[0];
    }

    public static final class Counter {
        private int n;

        public Counter(int start) {
            n = start;
        }

        public int increment() {
            n = n + 1;
            Sonde.breakpoint();
            return n;
        }
    }

    @Test
    void attachShowsTheUsersFrameLocalsAndStepsThroughTheTask() {
        ObjectRef<Integer> r = Sonde.task(DebugSessionTest::compute, 5).name("compute").remote();
        BreakpointInfo b = breakpoints.await("compute");
        assertThat(b.getFile()).isEqualTo("DebugSessionTest.java");
        assertThat(b.getMethod()).isEqualTo("compute");

        long t0 = System.nanoTime();
        DebugSession s = DebugSession.attach(breakpoints, b, ATTACH);
        DebugSession.Frame top = s.frame();
        String context = new SourceView(new SourceLocator(SourceLocator.defaultRoots())).context(top);
        long attachMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("[figures] attach -> first prompt: " + attachMs + " ms");
        try {
            assertThat(top.index()).isZero();
            assertThat(top.method()).isEqualTo("compute");
            assertThat(top.className()).isEqualTo(DebugSessionTest.class.getName());
            assertThat(top.line()).isEqualTo(b.getLine());
            assertThat(context).contains("=> ").contains("Sonde.breakpoint();").contains("int y = x * x;");
            // Sonde's frames (BreakpointPark, TaskExecutor, FunctionInvoker...) are hidden
            assertThat(s.frames()).extracting(DebugSession.Frame::method).containsExactly("compute");
            assertThat(s.isParked()).isTrue();

            assertThat(s.locals()).extracting(DebugSession.Variable::name).containsExactly("x", "y", "name", "box");
            assertThat(s.locals()).extracting(v -> v.name() + " = " + v.value())
                    .containsExactly("x = 5", "y = 25", "name = \"sonde-5\"", "box = Box{n=5, label=\"b5\"}");

            assertThat(s.evaluate("x * 2 + y")).isEqualTo("35");
            assertThat(s.evaluate("name.length()")).isEqualTo("7");
            assertThat(s.evaluate("name.toUpperCase()")).isEqualTo("\"SONDE-5\"");
            assertThat(s.evaluate("box.label")).isEqualTo("\"b5\"");
            assertThat(s.evaluate("box.doubled() + 1")).isEqualTo("11");

            long s0 = System.nanoTime();
            DebugSession.StepResult next = s.step(DebugSession.Step.OVER);
            long firstStepMs = (System.nanoTime() - s0) / 1_000_000;
            assertThat(next.stopped()).as(next.message()).isTrue();
            assertThat(next.frame().line()).isEqualTo(b.getLine() + 1);
            assertThat(s.isParked()).isFalse();
            assertThat(s.locals()).extracting(DebugSession.Variable::name).doesNotContain("z");

            s0 = System.nanoTime();
            next = s.step(DebugSession.Step.OVER);
            long stepMs = (System.nanoTime() - s0) / 1_000_000;
            System.out.println("[figures] first step (leaves the park): " + firstStepMs + " ms, next step: " + stepMs + " ms");
            assertThat(next.frame().line()).isEqualTo(b.getLine() + 2);
            assertThat(s.locals()).extracting(v -> v.name() + " = " + v.value()).contains("z = 32");
            // invokeMethod still works after a step: the thread is stopped by the step event
            assertThat(s.evaluate("name.charAt(0)")).isEqualTo("'s'");

            DebugSession.StepResult into = s.step(DebugSession.Step.INTO);
            assertThat(into.frame().method()).isEqualTo("twice");
            assertThat(s.frames()).extracting(DebugSession.Frame::method).containsExactly("twice", "compute");
            assertThat(s.evaluate("v")).isEqualTo("32");
            assertThat(s.up().method()).isEqualTo("compute");
            assertThat(s.evaluate("z + 1")).isEqualTo("33");
            assertThat(s.down().method()).isEqualTo("twice");
            assertThatThrownBy(s::down).isInstanceOf(DebugException.class).hasMessageContaining("innermost");

            DebugSession.StepResult finish = s.step(DebugSession.Step.OUT);
            assertThat(finish.frame().method()).isEqualTo("compute");
            next = s.step(DebugSession.Step.OVER);
            assertThat(next.frame().line()).isEqualTo(b.getLine() + 3);
            assertThat(s.evaluate("w")).isEqualTo("64");

            s.resume();
            assertThat(s.isAttached()).isFalse();
        } finally {
            s.close();
        }
        assertThat(Sonde.get(r, Duration.ofSeconds(20))).isEqualTo(69);
        breakpoints.awaitNone("compute");
    }

    @Test
    void expressionsCoverFieldsCallsArraysCollectionsAndOperators() {
        ObjectRef<String> r = Sonde.task(DebugSessionTest::values, 7).name("values").remote();
        BreakpointInfo b = breakpoints.await("values");
        try (DebugSession s = DebugSession.attach(breakpoints, b, ATTACH)) {
            assertThat(s.locals()).extracting(v -> v.name() + " = " + v.value()).contains(
                    "arr = [1, 2, 3]", "xs = [10, 20, 30]", "map = {\"a\"=1}", "big = 1099511627776", "half = 3.5",
                    "c = 'q'", "box = Box{n=7, label=\"label\"}", "none = null", "s = \"  Hello  \"");
            Map<String, String> cases = new java.util.LinkedHashMap<>();
            cases.put("arr[2]", "3");
            cases.put("arr.length", "3");
            cases.put("xs.get(1)", "20");
            cases.put("xs.size() * 2", "6");
            cases.put("map.get(\"a\")", "1");
            cases.put("s.trim()", "\"Hello\"");
            cases.put("s.trim().length()", "5");
            cases.put("\"v=\" + x + '!'", "\"v=7!\"");
            cases.put("\"box: \" + box.n", "\"box: 7\"");
            cases.put("x > 3 && half < 4", "true");
            cases.put("x % 3 == 1 ? \"yes\" : \"no\"", "\"yes\"");
            cases.put("Math.max(x, 10)", "10");
            cases.put("Integer.MAX_VALUE", "2147483647");
            cases.put("(double) x / 2", "3.5");
            cases.put("x / 2", "3");
            cases.put("big + x", "1099511627783");
            cases.put("-x", "-7");
            cases.put("box == box", "true");
            cases.put("none == null", "true");
            cases.put("c + 1", "114");
            cases.put("String.valueOf(x)", "\"7\"");
            cases.put("java.lang.Math.abs(-3)", "3");
            cases.put("Integer.valueOf(5).equals(5)", "true");
            cases.put("xs.contains(20)", "true");
            cases.put("box.label.equals(\"label\")", "true");
            cases.put("1 << 3 | 1", "9");
            for (Map.Entry<String, String> c : cases.entrySet()) {
                assertThat(s.evaluate(c.getKey())).as(c.getKey()).isEqualTo(c.getValue());
            }
            // neither path knows the name: javac's error, a caret under it
            assertThatThrownBy(() -> s.evaluate("nosuch + 1")).isInstanceOf(DebugException.class)
                    .hasMessage("error: cannot find symbol\n    nosuch + 1\n    ^\n  symbol:   variable nosuch");
            assertThatThrownBy(() -> s.evaluate("s.nosuch()")).hasMessageContaining("error: cannot find symbol")
                    .hasMessageContaining("symbol:   method nosuch()");
            assertThatThrownBy(() -> s.evaluate("none.n")).hasMessageContaining("null");
            // what Sonde's evaluator cannot read, javac compiles, or refuses as javac does
            assertThat(s.evaluate("new Object().getClass().getName()")).isEqualTo("\"java.lang.Object\"");
            assertThatThrownBy(() -> s.evaluate("(a) -> a")).hasMessageContaining("error: incompatible types: java.lang.Object is not a functional interface");
            assertThatThrownBy(() -> s.evaluate("x +")).hasMessageContaining("error: illegal start of expression");
            assertThatThrownBy(() -> s.evaluate("arr[3]")).hasMessageContaining("out of bounds");
            assertThatThrownBy(() -> s.evaluate("xs.get(5)")).hasMessageContaining("IndexOutOfBoundsException: Index 5 out of bounds")
                    .hasMessageContaining("Index 5 out of bounds");
            assertThatThrownBy(() -> s.evaluate("x / 0")).hasMessageContaining("division by zero");

            assertThat(s.set("x = 9")).isEqualTo("9");
            assertThat(s.evaluate("x")).isEqualTo("9");
            assertThat(s.set("box.n = x + 1")).isEqualTo("10");
            assertThat(s.set("arr[0] = 5")).isEqualTo("5");
            assertThat(s.set("s = \"bye\"")).isEqualTo("\"bye\"");
            assertThat(s.set("big = 3")).isEqualTo("3");
            assertThatThrownBy(() -> s.set("x = \"no\"")).hasMessageContaining("cannot convert a String to int");
            s.resume();
        }
        assertThat(Sonde.get(r, Duration.ofSeconds(20))).isEqualTo("bye510" + 3 + "3.5q10true");
    }

    @Test
    void twoParkedTasksAreDebuggedOneAfterTheOther() {
        ObjectRef<Integer> first = Sonde.task(DebugSessionTest::compute, 2).name("first").remote();
        breakpoints.await("first");
        ObjectRef<Integer> second = Sonde.task(DebugSessionTest::compute, 3).name("second").remote();
        breakpoints.await("second");
        List<BreakpointInfo> both = breakpoints.list();
        assertThat(both).extracting(BreakpointInfo::getIndex).containsExactly(0, 1);
        assertThat(both).extracting(BreakpointInfo::getTaskName).containsExactly("first", "second");
        assertThat(both.get(0).getPid()).isNotEqualTo(both.get(1).getPid());

        try (DebugSession s = DebugSession.attach(breakpoints, both.get(0), ATTACH)) {
            assertThat(s.evaluate("x")).isEqualTo("2");
            s.resume();
        }
        assertThat(Sonde.get(first, Duration.ofSeconds(20))).isEqualTo(2 * (4 + 7) + 2);
        breakpoints.awaitNone("first");
        BreakpointInfo left = breakpoints.list().get(0);
        assertThat(left.getIndex()).isZero();
        assertThat(left.getTaskName()).isEqualTo("second");
        try (DebugSession s = DebugSession.attach(breakpoints, left, ATTACH)) {
            assertThat(s.evaluate("x")).isEqualTo("3");
            assertThat(s.step(DebugSession.Step.OVER).stopped()).isTrue();
            s.resume();
        }
        assertThat(Sonde.get(second, Duration.ofSeconds(20))).isEqualTo(2 * (9 + 7) + 3);
    }

    @Test
    void anActorMethodsBreakpointShowsTheActorAndSetChangesItsField() {
        ActorHandle<Counter> c = Sonde.actor(Counter::new, 40).remote();
        ObjectRef<Integer> r = c.task(Counter::increment).remote();
        BreakpointInfo b = breakpoints.await(x -> x.getTaskName().contains("increment"));
        assertThat(b.getTaskName()).isEqualTo("Counter.increment");
        assertThat(b.getActorId()).isNotEmpty();
        try (DebugSession s = DebugSession.attach(breakpoints, b, ATTACH)) {
            assertThat(s.frame().describe()).startsWith("Counter.increment (DebugSessionTest.java:");
            assertThat(s.locals()).extracting(v -> v.name() + " = " + v.value()).containsExactly("this = Counter{n=41}");
            assertThat(s.evaluate("n")).isEqualTo("41");
            assertThat(s.evaluate("this.n + 1")).isEqualTo("42");
            assertThat(s.set("n = 99")).isEqualTo("99");
            s.resume();
        }
        assertThat(Sonde.get(r, Duration.ofSeconds(20))).isEqualTo(99);
        // The same worker a second time: it kept its JDWP connection, and the node reaches it again.
        ObjectRef<Integer> again = c.task(Counter::increment).remote();
        BreakpointInfo b2 = breakpoints.await(x -> x.getTaskName().contains("increment"));
        assertThat(b2.getPid()).isEqualTo(b.getPid());
        try (DebugSession s = DebugSession.attach(breakpoints, b2, ATTACH)) {
            assertThat(s.evaluate("n")).isEqualTo("100");
        }
        assertThat(Sonde.get(again, Duration.ofSeconds(20))).isEqualTo(100);
    }

    @Test
    void sondeBreakpointParksACallOfAConcurrentActorOnItsPoolThread() {
        ActorHandle<Counter> c = Sonde.actor(Counter::new, 7).maxConcurrency(2).remote();
        ObjectRef<Integer> r = c.task(Counter::increment).remote();
        BreakpointInfo b = breakpoints.await(x -> x.getTaskName().equals("Counter.increment")
                && x.getThreadName().startsWith("sonde-task-"));
        assertThat(b.getThreadName()).matches("sonde-task-[12]");
        try (DebugSession s = DebugSession.attach(breakpoints, b, ATTACH)) {
            assertThat(s.frame().describe()).startsWith("Counter.increment (DebugSessionTest.java:");
            assertThat(s.evaluate("n")).isEqualTo("8");
            assertThat(s.set("n = 20")).isEqualTo("20");
            s.resume();
        }
        assertThat(Sonde.get(r, Duration.ofSeconds(20))).isEqualTo(20);
    }

    @Test
    void stepIntoALambdaAndOffTheEndOfTheTask() {
        ObjectRef<Integer> r = Sonde.task(DebugSessionTest::sumWithLambda, 4).name("lambda").remote();
        BreakpointInfo b = breakpoints.await("lambda");
        DebugSession s = DebugSession.attach(breakpoints, b, ATTACH);
        try {
            assertThat(s.step(DebugSession.Step.OVER).frame().line()).isEqualTo(b.getLine() + 1);
            assertThat(s.step(DebugSession.Step.OVER).frame().line()).isEqualTo(b.getLine() + 2);
            DebugSession.StepResult into = s.step(DebugSession.Step.INTO);
            // into the lambda's body, through Integer.valueOf and the lambda's hidden class
            assertThat(into.frame().method()).startsWith("lambda$sumWithLambda$");
            assertThat(s.evaluate("v")).isEqualTo("4");
            assertThat(s.frames()).hasSize(2);
            DebugSession.StepResult back = s.step(DebugSession.Step.OVER);
            assertThat(back.frame().method()).isEqualTo("sumWithLambda");
            assertThat(s.step(DebugSession.Step.OVER).frame().line()).isEqualTo(b.getLine() + 3);
            DebugSession.StepResult end = s.step(DebugSession.Step.OVER);
            assertThat(end.stopped()).isFalse();
            assertThat(end.message()).contains("returned");
            assertThat(s.isAttached()).isFalse();
        } finally {
            s.close();
        }
        assertThat(Sonde.get(r, Duration.ofSeconds(20))).isEqualTo(5);
    }

    @Test
    void lineBreakpointsWithAConditionStopTheTaskWhereContinueRunsTo() {
        ObjectRef<Integer> r = Sonde.task(DebugSessionTest::loop, 10).name("loop").remote();
        BreakpointInfo b = breakpoints.await("loop");
        String body = "DebugSessionTest.java:" + (b.getLine() + 2);
        try (DebugSession s = DebugSession.attach(breakpoints, b, ATTACH)) {
            assertThat(s.addBreakpoint(body, "i == 3")).isEqualTo("#1  " + body + "  if i == 3");
            assertThatThrownBy(() -> s.addBreakpoint("DebugSessionTest.java:1", null)).hasMessageContaining("no code");
            assertThatThrownBy(() -> s.addBreakpoint("NoSuchFile.java:3", null)).hasMessageContaining("No class from NoSuchFile.java");
            DebugSession.StepResult hit = s.proceed();
            assertThat(hit.stopped()).isTrue();
            assertThat(hit.message()).isEqualTo("Breakpoint #1  " + body + "  if i == 3");
            assertThat(hit.frame().line()).isEqualTo(b.getLine() + 2);
            assertThat(s.evaluate("i")).isEqualTo("3");
            assertThat(s.evaluate("sum")).isEqualTo("3");
            assertThat(s.clearBreakpoint(body)).startsWith("#1");
            assertThat(s.addBreakpoint("DebugSessionTest:" + (b.getLine() + 2), null)).startsWith("#2");
            assertThat(s.breakpoints()).containsExactly("#2  DebugSessionTest.java:" + (b.getLine() + 2));
            assertThat(s.proceed().stopped()).isTrue();
            assertThat(s.evaluate("i")).isEqualTo("4");
            assertThat(s.step(DebugSession.Step.OVER).frame().line()).isEqualTo(b.getLine() + 1);
            s.clearBreakpoints();
            DebugSession.StepResult end = s.proceed();
            assertThat(end.stopped()).isFalse();
            assertThat(s.isAttached()).isFalse();
        }
        assertThat(Sonde.get(r, Duration.ofSeconds(20))).isEqualTo(45);
    }

    @Test
    void steppingOverASecondBreakpointStopsInItsPark() {
        ObjectRef<Integer> r = Sonde.task(DebugSessionTest::parkedTwice, 20).name("twice").remote();
        BreakpointInfo b = breakpoints.await("twice");
        try (DebugSession s = DebugSession.attach(breakpoints, b, ATTACH)) {
            assertThat(s.step(DebugSession.Step.OVER).frame().line()).isEqualTo(b.getLine() + 1);
            assertThat(s.step(DebugSession.Step.OVER).frame().line()).isEqualTo(b.getLine() + 2);
            DebugSession.StepResult again = s.step(DebugSession.Step.OVER);
            assertThat(again.stopped()).isTrue();
            assertThat(again.message()).contains("Sonde.breakpoint() again");
            assertThat(again.frame().line()).isEqualTo(b.getLine() + 2);
            assertThat(s.isParked()).isTrue();
            assertThat(s.evaluate("b")).isEqualTo("42");
            breakpoints.await(x -> x.getTaskName().equals("twice") && x.getLine() == b.getLine() + 2);
            assertThat(s.step(DebugSession.Step.OVER).frame().line()).isEqualTo(b.getLine() + 3);
            s.resume();
        }
        assertThat(Sonde.get(r, Duration.ofSeconds(20))).isEqualTo(42);
        breakpoints.awaitNone("twice");
    }

    @Test
    void stepIntoForEachStopsInTheLambdaForEachElementAndSkipsTheJdk() {
        ObjectRef<Integer> r = Sonde.task(DebugSessionTest::forEachSum, 5).name("forEach").remote();
        BreakpointInfo b = breakpoints.await("forEach");
        try (DebugSession s = DebugSession.attach(breakpoints, b, ATTACH)) {
            assertThat(s.step(DebugSession.Step.OVER).frame().line()).isEqualTo(b.getLine() + 1);
            DebugSession.StepResult st = s.step(DebugSession.Step.INTO);
            assertThat(st.frame().method()).startsWith("lambda$forEachSum$");
            assertThat(st.frame().line()).isEqualTo(b.getLine() + 2);
            assertThat(s.evaluate("v")).isEqualTo("5");
            // the user's frames only: the lambda and forEachSum, not ImmutableCollections' forEach
            assertThat(s.frames()).extracting(DebugSession.Frame::method).hasSize(2).last().isEqualTo("forEachSum");
            List<String> seen = new java.util.ArrayList<>();
            for (int i = 0; i < 6 && !st.frame().method().equals("forEachSum"); i++) {
                st = s.step(DebugSession.Step.INTO);
                seen.add(st.frame().method() + ":" + st.frame().line());
                if (st.frame().method().startsWith("lambda$") && st.frame().line() == b.getLine() + 2) {
                    assertThat(s.evaluate("v")).isEqualTo("6");
                }
            }
            assertThat(seen).as("steps").anyMatch(x -> x.startsWith("lambda$") && x.endsWith(":" + (b.getLine() + 2)));
            assertThat(st.frame().method()).as("steps %s", seen).isEqualTo("forEachSum");
            assertThat(seen).allMatch(x -> x.startsWith("lambda$forEachSum$") || x.startsWith("forEachSum:"));
            s.resume();
        }
        assertThat(Sonde.get(r, Duration.ofSeconds(20))).isEqualTo(11);
    }
}
