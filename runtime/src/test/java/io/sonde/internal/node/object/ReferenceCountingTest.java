package io.sonde.internal.node.object;

import io.sonde.proto.ObjectValue;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node's counting of refs, on the store alone: owners, tasks, values that hold refs,
 * borrowers, and releases that arrive before the values their process sent. What must not happen:
 * an object dropped while anything still holds it, or one kept after everything let go.
 */
class ReferenceCountingTest {
    private static final String OWNER = "owner";
    private static final String WORKER = "worker";

    private final List<ObjectValue> dropped = new ArrayList<>();
    private final InlineObjectStore<String> store = new InlineObjectStore<>(dropped::add);

    private static ObjectValue value(String... contained) {
        return ObjectValue.newBuilder().setSharedSize(1).setSharedId("file").addAllContainedIds(List.of(contained))
                .build();
    }

    @Test
    void anObjectGoesWhenItsOwnerReleasesIt() {
        store.put("y", OWNER, value());
        store.release("y", OWNER);
        assertThat(store.contains("y")).isFalse();
        assertThat(dropped).hasSize(1);
    }

    @Test
    void aValueHoldingARefKeepsItsObjectUntilTheValueGoes() {
        store.put("y", OWNER, value());
        store.put("x", OWNER, value("y"));
        store.escapesArrived(List.of("y"));
        store.release("y", OWNER, 1, false);
        assertThat(store.contains("y")).isTrue();
        store.release("x", OWNER);
        assertThat(store.contains("x")).isFalse();
        assertThat(store.contains("y")).isFalse();
    }

    @Test
    void aReleaseThatComesBeforeTheValueItsProcessSentWaitsForIt() {
        store.put("y", WORKER, value());
        store.create("x", OWNER);
        // the worker serialized y into x's value and let go of y; its release overtook the value
        store.release("y", WORKER, 1, false);
        assertThat(store.contains("y")).isTrue();
        store.complete("x", value("y"));
        store.escapesArrived(List.of("y"));
        assertThat(store.contains("y")).isTrue(); // x holds it now
        store.release("x", OWNER);
        assertThat(store.contains("y")).isFalse();
    }

    @Test
    void aBorrowerKeepsTheObjectUntilItLetsGo() {
        store.put("y", OWNER, value());
        store.put("x", OWNER, value("y"));
        store.escapesArrived(List.of("y"));
        store.borrow("y", WORKER);
        store.release("y", OWNER, 1, false);
        store.release("x", OWNER);
        assertThat(store.contains("y")).isTrue();
        store.release("y", WORKER, 0, true);
        assertThat(store.contains("y")).isFalse();
    }

    @Test
    void aBorrowerThatDiesLetsGoOfWhatItBorrowed() {
        store.put("y", OWNER, value());
        store.borrow("y", WORKER);
        store.release("y", OWNER);
        assertThat(store.contains("y")).isTrue();
        store.clientClosed(WORKER);
        assertThat(store.contains("y")).isFalse();
    }

    @Test
    void anObjectOutlivesItsDeadOwnerWhileABorrowerHoldsIt() {
        store.put("y", WORKER, value());
        store.borrow("y", OWNER);
        store.create("pending", WORKER);
        store.clientClosed(WORKER);
        assertThat(store.contains("y")).isTrue();
        assertThat(store.contains("pending")).isTrue(); // it fails with OwnerDiedException, and stays to say so
        store.release("y", OWNER, 0, true);
        assertThat(store.contains("y")).isFalse();
    }

    @Test
    void aTaskThatCarriesARefKeepsItWhileItMayRun() {
        store.put("y", OWNER, value());
        store.retain("y"); // the task holds it (DependencyResolver#resolve)
        store.escapesArrived(List.of("y"));
        store.release("y", OWNER, 1, false);
        assertThat(store.contains("y")).isTrue();
        store.unretain("y");
        assertThat(store.contains("y")).isFalse();
    }

    @Test
    void aBorrowersReleaseOfSomethingItNeverBorrowedChangesNothing() {
        store.put("y", OWNER, value());
        store.release("y", WORKER, 0, true);
        store.borrow("y", "other");
        store.release("y", OWNER);
        assertThat(store.contains("y")).isTrue();
    }

    @Test
    void aChainOfValuesGoesLinkByLinkWhenItsHeadGoes() {
        store.put("c", OWNER, value());
        store.put("b", OWNER, value("c"));
        store.put("a", OWNER, value("b"));
        store.escapesArrived(List.of("c", "b"));
        store.release("c", OWNER, 1, false);
        store.release("b", OWNER, 1, false);
        assertThat(store.size()).isEqualTo(3);
        store.release("a", OWNER);
        assertThat(store.size()).isZero();
        assertThat(dropped).hasSize(3);
    }
}
