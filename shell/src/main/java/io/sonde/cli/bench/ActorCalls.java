package io.sonde.cli.bench;

import io.sonde.ActorHandle;
import io.sonde.ObjectRef;
import io.sonde.Sonde;

import java.util.ArrayList;
import java.util.List;

/**
 * Ray's {@code 1_1_actor_calls_sync/async}: one caller, one actor, a method that returns at once;
 * sync waits for each result, async submits a batch and then gets them all. The actor is created
 * and answers once before timing starts, and is killed afterwards to free its process.
 */
final class ActorCalls implements Metric {
    private final String name;
    private final double ray;
    private final boolean async;

    ActorCalls(String name, double ray, boolean async) {
        this.name = name;
        this.ray = ray;
        this.async = async;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean perSecond() {
        return true;
    }

    @Override
    public double rayFigure() {
        return ray;
    }

    @Override
    public Measurement measure(Plan plan) throws Exception {
        ActorHandle<BenchFunctions.Echo> actor = Sonde.actor(BenchFunctions.Echo::new).remote();
        try {
            Sonde.get(actor.task(BenchFunctions.Echo::small).remote());
            if (!async) {
                return Rounds.perSecond(plan, () -> {
                    Sonde.get(actor.task(BenchFunctions.Echo::small).remote());
                    return 1;
                });
            }
            return Rounds.perSecond(plan, () -> {
                List<ObjectRef<Integer>> refs = new ArrayList<>(plan.batch());
                for (int i = 0; i < plan.batch(); i++) {
                    refs.add(actor.task(BenchFunctions.Echo::small).remote());
                }
                Sonde.get(refs);
                return refs.size();
            });
        } finally {
            Sonde.kill(actor);
        }
    }
}
