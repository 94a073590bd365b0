package io.sonde.debugger;

import io.sonde.InitOptions;
import io.sonde.Sonde;
import io.sonde.debugger.proto.DebuggerGrpc;
import io.sonde.debugger.proto.ListBreakpointsRequest;
import io.sonde.internal.SondeRuntime;

/**
 * A driver of its own (for {@link BreakpointTest}): joins the cluster at {@code args[0]}, starts a
 * task that parks at a breakpoint, waits until the task is parked, and exits without letting it go.
 */
public final class ParkingDriver {
    private ParkingDriver() {
    }

    static int parks(int x) {
        Sonde.breakpoint();
        return x;
    }

    public static void main(String[] args) throws Exception {
        Sonde.init(new InitOptions().address(args[0]));
        Sonde.task(ParkingDriver::parks, 1).name("orphan").remote();
        // the node lists the stop; the test sees it there too, then this driver exits
        DebuggerGrpc.DebuggerBlockingStub stub = DebuggerGrpc.newBlockingStub(SondeRuntime.channel(
                SondeRuntime.HostPort.parse(args[0]).host(), SondeRuntime.HostPort.parse(args[0]).port()));
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline && stub.listBreakpoints(
                ListBreakpointsRequest.getDefaultInstance()).getBreakpointsList().stream()
                .noneMatch(b -> b.getTaskName().equals("orphan"))) {
            Thread.sleep(20);
        }
        System.out.println("parked");
        Runtime.getRuntime().halt(0); // gone, as a driver that crashes is
    }
}
