package io.sonde;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layering of Sonde's modules, as rules over the production classes of every module (the
 * shell is the one module that sees them all):
 * <pre>
 *   runtime   io.sonde, .spi, .internal, .proto, .tooling, .function
 *      ▲
 *   debugger  io.sonde.debugger             (a plug-in: io.sonde.spi; tools: io.sonde.tooling)
 *      ▲
 *   shell     io.sonde.cli (the verbs)  ─▶  io.sonde.shell (REPL, scripts)  ─▶  io.sonde.cli.table
 * </pre>
 */
@AnalyzeClasses(packages = "io.sonde",
        importOptions = {ImportOption.DoNotIncludeTests.class, ArchitectureTest.DoNotIncludeTestJars.class})
class ArchitectureTest {
    /** The runtime's test fixtures (io.sonde.testing) come in its test-jar: test code, not production code. */
    static final class DoNotIncludeTestJars implements ImportOption {
        @Override
        public boolean includes(com.tngtech.archunit.core.importer.Location location) {
            return !location.matches(java.util.regex.Pattern.compile(".*-tests\\.jar.*"));
        }
    }

    private static final String[] RUNTIME = {
            "io.sonde", "io.sonde.spi..", "io.sonde.internal..", "io.sonde.proto..", "io.sonde.tooling..",
            "io.sonde.function.."};
    /** The tables that both the verbs ({@code sonde status}) and the REPL ({@code /status}) print. */
    private static final String SHARED_TABLES = "io.sonde.cli.table";

    @ArchTest
    static final ArchRule runtimeKnowsNoneOfTheModulesBuiltOnIt = noClasses()
            .that().resideInAnyPackage(RUNTIME)
            .should().dependOnClassesThat().resideInAnyPackage(
                    "io.sonde.debugger..", "io.sonde.profiler..", "io.sonde.shell..", "io.sonde.cli..")
            .because("the runtime runs in every worker and node without the debugger, the profiler or the shell;"
                    + " they plug into it through io.sonde.spi, found with ServiceLoader");

    @ArchTest
    static final ArchRule debuggerKnowsNothingOfTheShell = noClasses()
            .that().resideInAPackage("io.sonde.debugger..")
            .should().dependOnClassesThat().resideInAnyPackage("io.sonde.shell..", "io.sonde.cli..")
            .because("the debugger is a plug-in of every node and worker, and `sonde debug` and the shell's /debug"
                    + " are two front ends over it: it must not need either");

    @ArchTest
    static final ArchRule onlyTheRuntimeReachesItsInternals = noClasses()
            .that().resideOutsideOfPackages(RUNTIME)
            .should().dependOnClassesThat().resideInAPackage("io.sonde.internal..")
            .because("the internals change freely; other modules use the user API, the plug-in SPI (io.sonde.spi),"
                    + " the wire protocol (io.sonde.proto) or the tools' client API (io.sonde.tooling)");

    @ArchTest
    static final ArchRule replDoesNotUseTheCliVerbs = noClasses()
            .that().resideInAPackage("io.sonde.shell..")
            .should().dependOnClassesThat().resideInAnyPackage("io.sonde.cli", "io.sonde.cli.bench..")
            .because("the verbs start the REPL and the script runner, not the other way round; what both show"
                    + " (the cluster's tables) lives in io.sonde.cli.table");

    @ArchTest
    static final ArchRule sharedTablesDependOnNeitherFrontEnd = noClasses()
            .that().resideInAPackage(SHARED_TABLES + "..")
            .should().dependOnClassesThat().resideInAnyPackage("io.sonde.cli", "io.sonde.cli.bench..", "io.sonde.shell..")
            .because("the verbs and the REPL both print them: the tables must not need either");

    /**
     * One slice per package under {@code io.sonde} ({@code io.sonde.(*)..}), except that
     * {@code io.sonde.cli.table} is a slice of its own: the verbs and the REPL share it, so it sits
     * below both although its name is under {@code cli}. Counted in {@code cli}, it would make the
     * verbs (which start the REPL) and the REPL (which prints the tables) one cycle by name only.
     */
    private static final SliceAssignment MODULE_PACKAGES = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String pkg = javaClass.getPackageName();
            if (pkg.equals(SHARED_TABLES) || pkg.startsWith(SHARED_TABLES + ".")) {
                return SliceIdentifier.of("cli.table");
            }
            if (!pkg.startsWith("io.sonde.")) {
                return SliceIdentifier.ignore(); // io.sonde itself, the user API, as io.sonde.(*).. leaves it out
            }
            String below = pkg.substring("io.sonde.".length());
            int dot = below.indexOf('.');
            return SliceIdentifier.of(dot < 0 ? below : below.substring(0, dot));
        }

        @Override
        public String getDescription() {
            return "the packages under io.sonde, with io.sonde.cli.table apart";
        }
    };

    @ArchTest
    static final ArchRule modulePackagesHaveNoCycles = slices()
            .assignedFrom(MODULE_PACKAGES)
            .should().beFreeOfCycles()
            .because("each package under io.sonde is a layer that only looks down; a cycle ties two into one");

    @ArchTest
    static final ArchRule nodePartsHaveNoCycles = slices()
            .matching("io.sonde.internal.node.(*)..")
            .should().beFreeOfCycles()
            .because("the node manager dispatches to its parts (tasks, scheduler, workers, actors, objects, logs),"
                    + " each keeping one kind of state; parts in a cycle can no longer be understood, tested on fake"
                    + " workers or changed one at a time");
}
