package org.pararnn.lm.model;

import java.util.List;
import java.util.SplittableRandom;
import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.Ops;
import org.pararnn.lm.nn.Parameter;

/** The last stage of a {@link LanguageModel}: the stream {@code x [rows][D]} to logits {@code [rows][V]}, on the backend's ops. */
interface Head {
    /** Its own parameters (a tied head's embedding belongs to the model). */
    List<Parameter> parameters();

    void initialize(SplittableRandom rnd);

    void forward(Ops ops, DeviceArray x, DeviceArray logits, int rows);

    /** Adds parameter gradients and writes (not adds) {@code ∂L/∂x} into {@code dx}. */
    void backward(Ops ops, DeviceArray dLogits, DeviceArray dx, int rows);

    /** The language model's head: final RMSNorm, then the embedding matrix as the output projection. */
    static Head tied(Parameter embedding, int dim, int vocab) {
        return new TiedHead(embedding, dim, vocab);
    }

    /** The single-block model's head: final RMSNorm, then a projection of its own without bias. */
    static Head normed(int dim, int vocab) {
        return TiedHead.untied(dim, vocab);
    }

    /** The cell-alone model's head: its own {@code W [V][D]} and bias. */
    static Head linear(int dim, int vocab) {
        return new LinearHead(dim, vocab);
    }
}
