package io.sonde.cli;

import io.sonde.proto.TaskInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Which tasks {@code sonde list tasks} shows: those matching every {@code --filter KEY=VALUE}
 * ({@code state}, {@code name}, {@code job}, {@code kind}; as {@code ray list tasks --filter}),
 * newest first as the node lists them, at most {@code --limit} of them. An immutable value.
 *
 * @param limit   how many rows to show at most
 * @param filters the conditions, all of which a shown task meets
 */
record TaskQuery(int limit, List<Filter> filters) {
    /** The keys {@code --filter} takes, as help and errors name them. */
    static final String KEYS = "state, name, job, kind";

    /** One {@code KEY=VALUE}: states and kinds compare ignoring case, names and jobs exactly. */
    record Filter(String key, String value, Predicate<TaskInfo> test) {
        /** Parses {@code KEY=VALUE}; throws {@link IllegalArgumentException} saying what is wrong. */
        static Filter parse(String text) {
            int eq = text.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--filter takes KEY=VALUE (keys: " + KEYS + "), not '" + text + "'");
            }
            String key = text.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = text.substring(eq + 1).trim();
            Predicate<TaskInfo> test = switch (key) {
                case "state" -> t -> t.getState().name().equalsIgnoreCase(value);
                case "name" -> t -> t.getName().equals(value);
                case "job" -> t -> t.getJobId().equals(value);
                case "kind" -> t -> t.getKind().name().equalsIgnoreCase(value);
                default -> throw new IllegalArgumentException("--filter does not know the key '" + key + "': use one of "
                        + KEYS + " (e.g. --filter state=RUNNING)");
            };
            return new Filter(key, value, test);
        }
    }

    TaskQuery {
        if (limit < 1) {
            throw new IllegalArgumentException("--limit must be at least 1, not " + limit);
        }
        filters = List.copyOf(filters);
    }

    /** The result of the query: the rows to show, and how many tasks matched in all. */
    record Page(List<TaskInfo> shown, int matched) {
        boolean truncated() {
            return shown.size() < matched;
        }
    }

    /** Applies the filters and the limit to the node's tasks (given newest first). */
    Page apply(List<TaskInfo> tasks) {
        List<TaskInfo> shown = new ArrayList<>(Math.min(limit, tasks.size()));
        int matched = 0;
        for (TaskInfo t : tasks) {
            if (filters.stream().allMatch(f -> f.test().test(t))) {
                matched++;
                if (shown.size() < limit) {
                    shown.add(t);
                }
            }
        }
        return new Page(shown, matched);
    }
}
