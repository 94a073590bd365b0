package io.sonde.cli;

import picocli.CommandLine.Option;

/** The {@code --address} option of every verb that talks to a running cluster. */
final class AddressOption {
    @Option(names = "--address", paramLabel = "sonde://HOST:PORT",
            description = "The cluster to talk to. Default: $SONDE_ADDRESS, else the head started by `sonde start --head`.")
    String address;
}
