package io.sonde.cli;

import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The options every verb that talks to a cluster shares, mixed into it with {@code @Mixin}, and
 * how such a verb reaches the cluster:
 * <ul>
 *   <li>{@code --address}: which cluster; else {@code $SONDE_ADDRESS}, else a fallback that depends
 *       on the verb ({@link ClusterLocator}'s search for {@code status}, {@code list}, {@code memory}, {@code stop}
 *       and {@code debug}; an embedded cluster for {@code shell} and {@code run}). Its help says
 *       which: a verb whose fallback is not the locator's gives its own text in its resource bundle,
 *       under {@link #ADDRESS_HELP}.</li>
 *   <li>{@code --timeout}: how long each call to the cluster may wait for its answer, the probe
 *       that finds the cluster included. {@code shell} and {@code run} join the cluster through
 *       {@code Sonde.init} and make no call of their own to bound: {@link #addressOnly} removes
 *       the option from them rather than let it do nothing.</li>
 * </ul>
 *
 * <p>Picocli fills one instance per verb while it parses that verb's command line; the verb reads it
 * afterwards, on the same thread.
 */
final class ClusterOptions {
    /** The resource bundle key of {@code --address}'s help. */
    static final String ADDRESS_HELP = "cluster.address";
    /** The resource bundle key of {@code --timeout}'s help. */
    static final String TIMEOUT_HELP = "cluster.timeout";
    /** Includes a fresh JVM's first gRPC call, which takes seconds on a loaded machine. */
    static final String DEFAULT_TIMEOUT = "10s";

    @Option(names = "--address", paramLabel = "sonde://HOST:PORT", descriptionKey = ADDRESS_HELP,
            description = "The cluster to talk to. Default: $SONDE_ADDRESS, else the head started by `sonde start --head`.")
    String address;

    // A label longer than picocli's long-option column (20) gets a line of its own, as --address has: the
    // other options' help keeps its layout.
    @Option(names = "--timeout", paramLabel = "TIME[ms|s|m]", defaultValue = DEFAULT_TIMEOUT,
            converter = DurationConverter.class, descriptionKey = TIMEOUT_HELP,
            description = "How long to wait for each answer from the cluster, in seconds, or with ms, s or m: 500ms, 30s,"
                    + " 2m. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    /** {@code --address} as given, or null. */
    String address() {
        return address;
    }

    /** The deadline of each call to the cluster. */
    Duration timeout() {
        return timeout;
    }

    /** The cluster this verb talks to, found and probed as {@link ClusterLocator#connect} does, within the timeout. */
    ClusterLocator.ClusterConnection connect(ClusterLocator locator) {
        return locator.connect(address, timeout);
    }

    /** Where this verb's cluster is, without asking the network; empty when nothing names one. */
    Optional<ClusterLocator.Candidate> candidate(ClusterLocator locator) {
        return locator.candidate(address);
    }

    /** {@code --address} trimmed, or null when not given: {@code Sonde.init} then looks at {@code $SONDE_ADDRESS} itself. */
    String joinAddress() {
        return address == null || address.isBlank() ? null : address.trim();
    }

    /**
     * {@code verb} without {@code --timeout}, for a verb that joins its cluster through
     * {@code Sonde.init} and has no call of its own that the option could bound.
     */
    static CommandLine addressOnly(CommandLine verb) {
        CommandSpec spec = verb.getCommandSpec();
        spec.remove(spec.findOption("--timeout"));
        return verb;
    }

    /** {@code 500ms}, {@code 30s}, {@code 2m}; a bare number is seconds. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)?");

        @Override
        public Duration convert(String value) {
            Matcher m = DURATION.matcher(value.trim());
            if (!m.matches()) {
                throw new TypeConversionException("'" + value + "' is not a duration: give a number with ms, s or m,"
                        + " e.g. 30s");
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            Duration d = switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
            };
            if (d.isZero()) {
                throw new TypeConversionException("a timeout of " + value + " leaves no time to answer; give more than 0,"
                        + " e.g. " + DEFAULT_TIMEOUT);
            }
            return d;
        }
    }
}
