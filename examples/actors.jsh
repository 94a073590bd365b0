// Actors: a class whose instance lives in a worker process of its own and keeps its state between
// calls. Calls on one actor run one at a time, in order. An exception thrown by an actor method
// fails that call only (TaskException); the actor lives on. An actor whose constructor throws is
// dead: its calls fail with ActorDiedException, caused by the constructor's exception. A named
// actor can be found again with getActor.
//
// Run:   ./sonde run examples/actors.jsh
// exit: 0 (every failure is caught)

class Account {
    private long balance;

    Account(long opening) {
        if (opening < 0) {
            throw new IllegalArgumentException("opening balance must not be negative, got " + opening);
        }
        balance = opening;
    }

    long deposit(long amount) {
        balance += amount;
        return balance;
    }

    long withdraw(long amount) {
        if (amount > balance) {
            throw new IllegalStateException("insufficient funds: balance " + balance + ", asked " + amount);
        }
        balance -= amount;
        return balance;
    }
}

var account = actor((Long opening) -> new Account(opening), 100L).name("account").remote();
account.task(Account::deposit, 50L).remote();
System.out.println("balance: " + get(account.task(Account::deposit, 25L).remote()));

try {
    get(account.task(Account::withdraw, 1_000L).remote());
} catch (TaskException e) {
    System.out.println("caught: " + e.getCause());
}
System.out.println("still alive, balance: " + get(account.task(Account::withdraw, 75L).remote()));

ActorHandle<Account> found = Sonde.<Account>getActor("account").orElseThrow();
System.out.println("found by name, balance: " + get(found.task(Account::deposit, 0L).remote()));

var broken = actor((Long opening) -> new Account(opening), -1L).remote();
try {
    get(broken.task(Account::deposit, 1L).remote());
} catch (ActorDiedException e) {
    System.out.println("ActorDiedException: " + e.getMessage());
    System.out.println("cause: " + e.getCause());
}
