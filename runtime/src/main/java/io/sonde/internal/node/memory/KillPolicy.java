package io.sonde.internal.node.memory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which worker the memory monitor kills, as Ray's policy (group by owner): workers are grouped by
 * the owner of their work (the driver or task that submitted it; each actor is a group of its
 * own), and the groups are ranked
 * <pre>
 *   1. tasks that will be retried        (the work is not lost, only delayed)
 *   2. actors that will be restarted     (their state is lost, the actor is not)
 *   3. tasks that will not be retried    (the task fails)
 *   4. actors that will not be restarted (the actor dies)
 * </pre>
 * then, within a rank, the largest group first (the owner with the most work running gives up the
 * least by losing one), then the group whose newest work started last. Within the chosen group
 * the most recently started work is killed: it has done the least. Idle workers are not ranked:
 * the monitor lets an idle one go before it kills any work only when that worker is the node's
 * largest and alone brings the node back under its threshold (a JVM keeps the heap its last task
 * grew, and an idle one runs nothing). The node manager and drivers are never chosen.
 */
public final class KillPolicy {
    private KillPolicy() {
    }

    /** What a worker does, as the policy ranks it. */
    public enum Kind {
        RETRIABLE_TASK("a task that will be retried"),
        RESTARTABLE_ACTOR("an actor that will be restarted"),
        TASK("a task that will not be retried"),
        ACTOR("an actor that will not be restarted");

        final String words;

        Kind(String words) {
            this.words = words;
        }
    }

    /**
     * A worker the monitor may kill.
     *
     * @param workerId  the worker
     * @param pid       its process
     * @param kind      what it runs
     * @param owner     the owner of its work (an actor: the actor's id, a group of its own)
     * @param work      the task or actor, in words: "the task alloc", "the actor Counter"
     * @param ref       its id: "task_id=...", "actor_id=..."
     * @param startedAt when its task (or actor) started, in System.nanoTime
     * @param owned     its RES − SHR in bytes
     */
    public record Candidate(String workerId, long pid, Kind kind, String owner, String work, String ref, long startedAt,
                            long owned) {
    }

    /** The worker chosen, and why in words ("it ran the most recently started of ..."). */
    public record Choice(Candidate victim, String why) {
    }

    public static Optional<Choice> choose(List<Candidate> candidates) {
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        Map<String, List<Candidate>> groups = new LinkedHashMap<>();
        for (Candidate c : candidates) {
            groups.computeIfAbsent(c.kind().ordinal() + "/" + c.owner(), k -> new ArrayList<>()).add(c);
        }
        Comparator<List<Candidate>> rank = Comparator.<List<Candidate>>comparingInt(g -> g.get(0).kind().ordinal())
                .thenComparing(Comparator.<List<Candidate>>comparingInt(List::size).reversed())
                .thenComparing(Comparator.<List<Candidate>>comparingLong(KillPolicy::newest).reversed());
        List<Candidate> group = groups.values().stream().min(rank).orElseThrow();
        Candidate victim = group.stream().max(Comparator.comparingLong(Candidate::startedAt)).orElseThrow();
        return Optional.of(new Choice(victim, why(victim, group, groups.size())));
    }

    private static long newest(List<Candidate> group) {
        return group.stream().mapToLong(Candidate::startedAt).max().orElse(Long.MIN_VALUE);
    }

    private static String why(Candidate victim, List<Candidate> group, int groupCount) {
        String of = victim.kind() == Kind.RESTARTABLE_ACTOR || victim.kind() == Kind.ACTOR ? "it hosts " + victim.kind().words
                : group.size() == 1 ? "it ran " + victim.kind().words
                : "it ran the most recently started of the " + group.size() + " tasks of owner " + victim.owner()
                + " running here, each " + victim.kind().words;
        String ranked = switch (victim.kind()) {
            case RETRIABLE_TASK -> "; tasks that will be retried are killed first";
            case RESTARTABLE_ACTOR -> "; no task running here would have been retried, so an actor that restarts was next";
            case TASK -> "; no task or actor running here would have been retried or restarted";
            case ACTOR -> "; only actors that will not restart were running";
        };
        return of + ranked + (groupCount > 1 ? " (" + groupCount + " owners had work running)" : "");
    }
}
