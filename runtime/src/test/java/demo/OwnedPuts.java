package demo;

import io.sonde.ActorHandle;
import io.sonde.ActorLifetime;
import io.sonde.InitOptions;
import io.sonde.ObjectRef;
import io.sonde.Sonde;

import java.util.List;

/**
 * The actor and the other driver of {@link OwnedPutTest}: a user's program, outside Sonde's
 * packages.
 */
public final class OwnedPuts {
    private OwnedPuts() {
    }

    /** Keeps the refs it is given, and reads them when asked. */
    public static final class Vault {
        private List<ObjectRef<String>> kept = List.of();

        public int keep(List<ObjectRef<String>> refs) {
            kept = refs;
            return refs.size();
        }

        public String read(Integer i) {
            return Sonde.get(kept.get(i));
        }
    }

    /**
     * Another driver of the cluster at {@code args[0]}: creates the detached actor 'vault' in
     * namespace 'owned', puts one value with the vault as its owner and one of its own, gives both
     * refs to the vault, and leaves.
     */
    public static void main(String[] args) {
        Sonde.init(new InitOptions().address(args[0]).namespace("owned"));
        ActorHandle<Vault> vault = Sonde.actor(Vault::new).name("vault").lifetime(ActorLifetime.DETACHED).remote();
        ObjectRef<String> owned = Sonde.put("owned by the vault", vault);
        ObjectRef<String> mine = Sonde.put("owned by the driver");
        System.out.println("the vault keeps " + Sonde.get(vault.task(Vault::keep, List.of(owned, mine)).remote()));
        Sonde.shutdown();
    }
}
