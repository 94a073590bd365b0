package io.sonde.internal.node.memory;

import io.sonde.internal.node.memory.KillPolicy.Candidate;
import io.sonde.internal.node.memory.KillPolicy.Kind;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which worker the memory monitor kills: Ray's group-by-owner policy. */
class KillPolicyTest {
    private static Candidate c(String worker, Kind kind, String owner, long startedAt) {
        return new Candidate(worker, worker.hashCode(), kind, owner, "the task " + worker, "task_id=" + worker,
                startedAt, 100);
    }

    private static String victim(Candidate... candidates) {
        return KillPolicy.choose(List.of(candidates)).orElseThrow().victim().workerId();
    }

    @Test
    void nothingToKillWhenNoWorkerHasWork() {
        assertThat(KillPolicy.choose(List.of())).isEmpty();
    }

    @Test
    void aRetriableTaskGoesBeforeANonRetriableOneThatStartedLater() {
        assertThat(victim(c("retriable", Kind.RETRIABLE_TASK, "driver", 1), c("precious", Kind.TASK, "driver", 2)))
                .isEqualTo("retriable");
    }

    @Test
    void tasksThatWillBeRetriedGoBeforeActorsAndActorsThatRestartBeforeTasksThatWillNot() {
        assertThat(victim(c("actor", Kind.RESTARTABLE_ACTOR, "a1", 9), c("task", Kind.RETRIABLE_TASK, "driver", 1)))
                .isEqualTo("task");
        assertThat(victim(c("actor", Kind.RESTARTABLE_ACTOR, "a1", 1), c("task", Kind.TASK, "driver", 9)))
                .isEqualTo("actor");
        assertThat(victim(c("actor", Kind.ACTOR, "a1", 9), c("task", Kind.TASK, "driver", 1)))
                .isEqualTo("task");
    }

    @Test
    void withinARankTheLargestGroupGivesUpItsMostRecentlyStartedTask() {
        String v = victim(
                c("lone", Kind.RETRIABLE_TASK, "driverA", 100),
                c("b1", Kind.RETRIABLE_TASK, "driverB", 1),
                c("b2", Kind.RETRIABLE_TASK, "driverB", 3),
                c("b3", Kind.RETRIABLE_TASK, "driverB", 2));
        assertThat(v).isEqualTo("b2");
    }

    @Test
    void betweenGroupsOfOneSizeTheOneWhoseNewestWorkStartedLastGoes() {
        assertThat(victim(c("old", Kind.RETRIABLE_TASK, "driverA", 1), c("new", Kind.RETRIABLE_TASK, "driverB", 2)))
                .isEqualTo("new");
    }

    @Test
    void theReasonSaysWhatWasChosenAndWhy() {
        KillPolicy.Choice choice = KillPolicy.choose(List.of(
                c("b1", Kind.RETRIABLE_TASK, "driverB", 1), c("b2", Kind.RETRIABLE_TASK, "driverB", 2),
                c("x", Kind.TASK, "driverA", 3))).orElseThrow();
        assertThat(choice.why()).isEqualTo("it ran the most recently started of the 2 tasks of owner driverB running"
                + " here, each a task that will be retried; tasks that will be retried are killed first (2 owners had"
                + " work running)");
    }
}
