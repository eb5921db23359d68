package dev.ringfold.mpi.topology;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** MPI_Dims_create's examples from the MPI standard (section 8.5.2), and preset entries kept. */
class CartesianDimsTest
{
    @Test
    void balancedNonIncreasingFactorisations()
    {
        assertArrayEquals(new int[]{3, 2}, fill(6, new int[]{0, 0}));
        assertArrayEquals(new int[]{7, 1}, fill(7, new int[]{0, 0}));
        assertArrayEquals(new int[]{2, 3, 1}, fill(6 / 3, new int[]{0, 3, 0}));
        assertArrayEquals(new int[]{4, 3, 3, 2}, fill(72, new int[]{0, 0, 0, 0}));
        assertArrayEquals(new int[]{1, 1, 1}, fill(1, new int[]{0, 0, 0}));
    }

    @Test
    void withoutFreeEntriesNothingChanges()
    {
        assertArrayEquals(new int[]{2, 5}, fill(1, new int[]{2, 5}));
    }

    private static int[] fill(final int product, final int[] dims)
    {
        CartesianDims.fillFree(product, dims);
        return dims;
    }
}
