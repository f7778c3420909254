package org.pararnn.backend.opencl;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.spi.LinearScan;
import org.pararnn.api.spi.ScanProblem;

/**
 * {@link LinearScan} on the device for every structure: diagonal, block-diagonal with any number of
 * blocks (2 and 3 with the local-memory combine) and dense (one lane of {@code S} coupled values).
 * Inputs go up once, the result comes back once; chunk carries never leave the device. Each solve logs
 * its traffic at DEBUG ({@code org.pararnn.backend.opencl}).
 */
final class OpenClScan implements LinearScan {
    private static final Logger LOG = System.getLogger("org.pararnn.backend.opencl");

    private final OpenClBackend backend;
    private final DeviceKernel<LinearScanKernel> device;
    private float[] out = new float[1];
    private float[] carH = new float[1];
    private float[] carP = new float[1];
    private float[] hs = new float[1];
    private float[] ps = new float[1];

    OpenClScan(OpenClBackend backend, DeviceKernel<LinearScanKernel> device) {
        this.backend = backend;
        this.device = device;
    }

    @Override
    public boolean supports(JacobianStructure structure) {
        return structure != null;
    }

    @Override
    public void forward(ScanProblem problem) {
        solve(problem, false);
    }

    @Override
    public void reverse(ScanProblem problem) {
        problem.checkReverseCarry();
        solve(problem, true);
    }

    /** Values coupled per lane for {@code s}: 1, the block count, or the whole state for dense. */
    static int coupled(JacobianStructure s, int width) {
        return switch (s) {
            case JacobianStructure.Diagonal d -> 1;
            case JacobianStructure.BlockDiagonal bd -> bd.blocks();
            case JacobianStructure.Dense d -> width;
        };
    }

    private void solve(ScanProblem p, boolean reverse) {
        backend.exclusive(() -> {
            device.resetCounters();
            LinearScanKernel k = device.kernel();
            int kb = coupled(p.structure(), p.width());
            int lanes = p.batch() * (p.width() / kb);
            int chunks = backend.chunking().chunks(lanes, p.to() - p.from());
            k.k = kb;
            k.m = p.width() / kb;
            k.width = p.width();
            k.steps = p.steps();
            k.from = p.from();
            k.to = p.to();
            k.chunks = chunks;
            k.lanes = lanes;
            k.rev = reverse ? 1 : 0;
            k.dst = 0;
            float[] was = k.a;
            k.a = p.a();
            device.upload(was, k.a);
            was = k.bv;
            k.bv = p.b();
            device.upload(was, k.bv);
            k.hasInit = p.init() != null ? 1 : 0;
            if (p.init() != null) {
                was = k.init;
                k.init = p.init();
                device.upload(was, k.init);
            }
            boolean whole = p.from() == 0 && p.to() == p.steps();
            was = k.y0;
            out = OpenClBackend.sized(out, p.out().length);
            k.y0 = out;
            if (whole) {
                device.scratch(was, k.y0);
            } else {
                // A window: values outside it must survive the round trip.
                System.arraycopy(p.out(), 0, out, 0, out.length);
                device.upload(was, k.y0);
            }
            int kk = kb * kb;
            k.carH = carH = device.owned(k.carH, carH, chunks * lanes * kb);
            k.carP = carP = device.owned(k.carP, carP, chunks * lanes * kk);
            if (kb > 2) {
                k.hs = hs = device.owned(k.hs, hs, lanes * chunks * 2 * kb);
                k.ps = ps = device.owned(k.ps, ps, chunks > 1 ? lanes * chunks * kk : 1);
            }
            backend.runScan(device, lanes, chunks, kb);
            device.download(out);
            if (whole) {
                System.arraycopy(out, 0, p.out(), 0, out.length);
            } else {
                int s = p.width();
                for (int b = 0; b < p.batch(); b++) {
                    int off = (b * p.steps() + p.from()) * s;
                    System.arraycopy(out, off, p.out(), off, (p.to() - p.from()) * s);
                }
            }
            LOG.log(Level.DEBUG, () -> (reverse ? "reverse" : "forward") + " scan " + p.structure().describe() + " B="
                    + p.batch() + " T=" + p.steps() + " S=" + p.width() + ", " + chunks + " chunk(s): " + device.traffic());
        });
    }

    void dispose() {
        device.dispose();
    }
}
