package io.sonde.cli;

import io.sonde.tooling.SessionDirs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code sonde get-auth-token}: prints the cluster's auth token, for a client that cannot read it
 * from the session directory itself (another account, another machine): it is given to that
 * client in {@code SONDE_AUTH_TOKEN}. Only the cluster's owner can read the token.
 */
@Command(name = "get-auth-token",
        description = "Print the auth token of the cluster, for a client on another account or machine:"
                + " give it to that client in SONDE_AUTH_TOKEN.")
final class GetAuthTokenCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions target;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @ParentCommand
    SondeMain sonde;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ClusterLocator locator = sonde.locator();
        ClusterLocator.Candidate c = target.candidate(locator).or(locator::embedded)
                .orElseThrow(() -> new CommandFailure(1, ClusterLocator.NOT_FOUND));
        String token;
        try {
            token = SessionDirs.authToken(c.address()).orElseThrow(() -> new CommandFailure(1, "No auth token of "
                    + c.address() + " (from " + c.source() + ") was found here: SONDE_AUTH_TOKEN gives none,"
                    + " SONDE_AUTH_TOKEN_PATH names no readable file, and no cluster running at that address keeps its"
                    + " session directory under " + SessionDirs.root() + ". A cluster's token can be read only by the"
                    + " user who started it, on its machine: run `sonde get-auth-token` there, as that user."));
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(2, e.getMessage() + " (from " + c.source() + ")");
        }
        spec.commandLine().getOut().println(token);
        return 0;
    }
}
