package org.pararnn.conformance;

import org.pararnn.api.JacobianStructure;
import org.pararnn.api.reference.ReferenceScan;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.BackendProvider;
import org.pararnn.api.spi.LinearScan;
import org.pararnn.api.spi.Probe;
import org.pararnn.api.spi.ScanProblem;

/** Backends that exist to test the runner: one that cannot run, one that claims to and is wrong. */
final class RunnerTestProviders {
    private RunnerTestProviders() {
    }

    /** Never available: the runner must skip it with this reason. */
    public static final class Absent implements BackendProvider {
        @Override
        public String name() {
            return "absent";
        }

        @Override
        public int priority() {
            return -10;
        }

        @Override
        public Probe probe() {
            return Probe.unavailable("no such device (test provider)");
        }

        @Override
        public Backend create() {
            throw new IllegalStateException("unavailable");
        }
    }

    /** Available, diagonal only, and its reverse scan ignores the carry: the runner must fail it. */
    public static final class Wrong implements BackendProvider {
        @Override
        public String name() {
            return "wrong";
        }

        @Override
        public int priority() {
            return -20;
        }

        @Override
        public Probe probe() {
            return Probe.available("a buggy test backend");
        }

        @Override
        public Backend create() {
            LinearScan scan = new LinearScan() {
                final ReferenceScan ok = new ReferenceScan();

                @Override
                public boolean supports(JacobianStructure s) {
                    return s instanceof JacobianStructure.Diagonal;
                }

                @Override
                public void forward(ScanProblem p) {
                    ok.forward(p);
                }

                @Override
                public void reverse(ScanProblem p) {
                    ok.reverse(new ScanProblem(p.structure(), p.batch(), p.steps(), p.width(), p.from(), p.to(),
                            p.a(), p.b(), null, p.out()));
                }
            };
            return new Backend() {
                @Override
                public String name() {
                    return "wrong";
                }

                @Override
                public String device() {
                    return "a buggy test backend";
                }

                @Override
                public LinearScan scan() {
                    return scan;
                }
            };
        }
    }
}
