package org.pararnn.cells.lang;

import java.util.Map;

/**
 * Cells of your own for {@code ./pararnn train --cell NAME}: implement this, list the class in
 * {@code META-INF/services/org.pararnn.cells.lang.CellSpecProvider}, and put its jar on the class path
 * ({@code PARARNN_CLASSPATH} for the launcher). {@link CellLibrary#all()} finds it with {@link java.util.ServiceLoader}.
 */
public interface CellSpecProvider {
    /** Your specs by the name {@code --cell} takes (lower case, no spaces; the built-in names are taken). */
    Map<String, CellSpec> cells();
}
