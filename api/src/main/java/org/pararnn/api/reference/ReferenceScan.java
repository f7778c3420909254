package org.pararnn.api.reference;

import org.pararnn.api.JacobianStructure;
import org.pararnn.api.spi.LinearScan;
import org.pararnn.api.spi.ScanProblem;

/**
 * The plain single-threaded scan for every structure: a step-by-step loop over time, one batch
 * element after the other. It is the definition the parallel scans are checked against, and lets the
 * whole pipeline run with no backend jar on the class path.
 */
public final class ReferenceScan implements LinearScan {

    @Override
    public boolean supports(JacobianStructure structure) {
        return true;
    }

    @Override
    public void forward(ScanProblem p) {
        JacobianStructure s = p.structure();
        int w = p.width();
        int c = p.coefficientsPerStep();
        float[] tmp = new float[w];
        for (int bi = 0; bi < p.batch(); bi++) {
            int row0 = bi * p.steps();
            float[] prev = p.init();
            int prevOff = bi * w;
            for (int t = p.from(); t < p.to(); t++) {
                int off = (row0 + t) * w;
                if (prev == null) {
                    System.arraycopy(p.b(), off, p.out(), off, w);
                } else {
                    s.multiply(p.a(), (row0 + t) * c, prev, prevOff, tmp, 0, w);
                    for (int i = 0; i < w; i++) {
                        p.out()[off + i] = tmp[i] + p.b()[off + i];
                    }
                }
                prev = p.out();
                prevOff = off;
            }
        }
    }

    @Override
    public void reverse(ScanProblem p) {
        p.checkReverseCarry();
        JacobianStructure s = p.structure();
        int w = p.width();
        int c = p.coefficientsPerStep();
        float[] tmp = new float[w];
        for (int bi = 0; bi < p.batch(); bi++) {
            int row0 = bi * p.steps();
            float[] next = p.init();
            int nextOff = bi * w;
            for (int t = p.to() - 1; t >= p.from(); t--) {
                int off = (row0 + t) * w;
                if (next == null) {
                    System.arraycopy(p.b(), off, p.out(), off, w);
                } else {
                    s.multiplyTransposed(p.a(), (row0 + t + 1) * c, next, nextOff, tmp, 0, w);
                    for (int i = 0; i < w; i++) {
                        p.out()[off + i] = tmp[i] + p.b()[off + i];
                    }
                }
                next = p.out();
                nextOff = off;
            }
        }
    }
}
