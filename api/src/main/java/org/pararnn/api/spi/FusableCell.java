package org.pararnn.api.spi;

import java.util.Optional;
import org.pararnn.api.Cell;
import org.pararnn.api.Tensor;

/**
 * A cell in one of the reference layouts backends ship fused kernels for, recognised by
 * {@link Cell#type()} and checked against the reference parameter shapes: ParaGRU ({@code A [3, D]},
 * {@code u} of width {@code 3D}, state {@code D}) and ParaLSTM (also {@code C [2, D]}, state
 * {@code [c; h]} of width {@code 2D}, output {@code h}). Anything else (custom cells, other layouts
 * under the same type) is not recognised, and gets the generic solvers.
 */
public record FusableCell(Kind kind, int features, Tensor a, Tensor c) {

    public enum Kind {
        PARAGRU("pararnn.paragru"), PARALSTM("pararnn.paralstm");

        public final String type;

        Kind(String type) {
            this.type = type;
        }
    }

    public static Optional<FusableCell> of(Cell cell) {
        String type = cell.type();
        boolean lstm = Kind.PARALSTM.type.equals(type);
        if (!Kind.PARAGRU.type.equals(type) && !lstm) {
            return Optional.empty();
        }
        int d = lstm ? cell.stateWidth() / 2 : cell.stateWidth();
        Tensor a = parameter(cell, "A");
        if (a == null || !a.sameShape(3, d) || cell.projectedWidth() != 3 * d) {
            return Optional.empty();
        }
        if (!lstm) {
            return Optional.of(new FusableCell(Kind.PARAGRU, d, a, null));
        }
        Tensor c = parameter(cell, "C");
        if (c == null || !c.sameShape(2, d) || cell.outputOffset() != d) {
            return Optional.empty();
        }
        return Optional.of(new FusableCell(Kind.PARALSTM, d, a, c));
    }

    private static Tensor parameter(Cell cell, String name) {
        for (Tensor t : cell.parameters()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
