package io.sonde.cli.bench;

import io.sonde.ActorHandle;
import io.sonde.ObjectRef;
import io.sonde.Sonde;

import java.util.ArrayList;
import java.util.List;

/**
 * Ray's {@code multi_client_tasks_async}: {@value #CLIENTS} clients (actors, each a core client of
 * its own in its worker) each submit a batch of small tasks and get them all, at once; the rate is
 * the tasks of all clients per second. The clients hold no CPU, so the tasks get the node's CPUs.
 * They are created and answer once before timing starts, and are killed afterwards.
 */
final class MultiClientTasks implements Metric {
    /** As Ray's benchmark: four clients. */
    static final int CLIENTS = 4;

    @Override
    public String name() {
        return "multi_client_tasks_async";
    }

    @Override
    public boolean perSecond() {
        return true;
    }

    @Override
    public double rayFigure() {
        return 21700;
    }

    @Override
    public Measurement measure(Plan plan) throws Exception {
        List<ActorHandle<BenchFunctions.TaskClient>> clients = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(Sonde.actor(BenchFunctions.TaskClient::new).remote());
            }
            List<ObjectRef<Integer>> first = new ArrayList<>();
            for (ActorHandle<BenchFunctions.TaskClient> c : clients) {
                first.add(c.task(BenchFunctions.TaskClient::smallBatch, 1).remote());
            }
            Sonde.get(first);
            return Rounds.perSecond(plan, () -> {
                List<ObjectRef<Integer>> batches = new ArrayList<>(CLIENTS);
                for (ActorHandle<BenchFunctions.TaskClient> c : clients) {
                    batches.add(c.task(BenchFunctions.TaskClient::smallBatch, plan.batch()).remote());
                }
                int tasks = 0;
                for (int n : Sonde.get(batches)) {
                    tasks += n;
                }
                return tasks;
            });
        } finally {
            clients.forEach(Sonde::kill);
        }
    }
}
