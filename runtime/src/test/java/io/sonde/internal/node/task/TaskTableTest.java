package io.sonde.internal.node.task;

import io.sonde.proto.TaskInfo;
import io.sonde.proto.TaskKind;
import io.sonde.proto.TaskSpec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code sonde list tasks} gets from a node: newest first, and a count of what it forgot. */
class TaskTableTest {
    private static TaskRecord task(String id) {
        return new TaskRecord(TaskSpec.newBuilder().setTaskId(id).setReturnId(id).setName(id)
                .setKind(TaskKind.NORMAL).setJobId("j").build());
    }

    private static void finish(TaskTable table, TaskRecord t) {
        t.state(TaskState.FINISHED);
        table.retire(t);
    }

    @Test
    void tasksAreListedNewestFirstWhetherLiveOrFinished() {
        TaskTable table = new TaskTable("node");
        TaskRecord first = task("first");
        TaskRecord second = task("second");
        TaskRecord third = task("third");
        table.add(first);
        table.add(second);
        table.add(third);
        finish(table, third);
        finish(table, first);

        assertThat(table.list()).extracting(TaskInfo::getTaskId).containsExactly("third", "second", "first");
        assertThat(table.forgotten()).isZero();
    }

    @Test
    void finishedTasksBeyondTheBoundAreForgottenAndCounted() {
        TaskTable table = new TaskTable("node");
        int total = TaskTable.MAX_FINISHED_KEPT + 3;
        for (int i = 0; i < total; i++) {
            TaskRecord t = task("t" + i);
            table.add(t);
            finish(table, t);
        }

        assertThat(table.list()).hasSize(TaskTable.MAX_FINISHED_KEPT).first().extracting(TaskInfo::getTaskId)
                .isEqualTo("t" + (total - 1));
        assertThat(table.forgotten()).isEqualTo(3);
    }
}
