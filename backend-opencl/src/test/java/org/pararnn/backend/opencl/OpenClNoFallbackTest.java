package org.pararnn.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.aparapi.Kernel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Aparapi would run a kernel it cannot translate on Java threads; this backend must refuse instead. */
class OpenClNoFallbackTest {

    @Test
    void aKernelThatCannotRunOnTheDeviceIsAnErrorNotAFallback() {
        OpenClDevices.Choice choice = OpenClDevices.choose();
        assumeTrue(choice.usable(), () -> "opencl unavailable here: " + choice.reason());
        DeviceKernel<Untranslatable> k = new DeviceKernel<>(new Untranslatable(), choice.device());
        OpenClException e = assertThrows(OpenClException.class, () -> k.launch(8, 8));
        assertTrue(e.getMessage().contains("Untranslatable") && e.getMessage().contains("never falls back"), e.getMessage());
        assertEquals(0f, k.kernel().out[0], "the kernel body must not have run anywhere");
        k.dispose();
    }

    /** Calls through an interface: Aparapi cannot translate that to OpenCL C. */
    static final class Untranslatable extends Kernel {
        final float[] out = new float[8];
        final List<Float> boxed = List.of(1f);

        @Override
        public void run() {
            out[getGlobalId()] = boxed.size();
        }
    }
}
