package dev.ringfold.mpi.topology;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Row-major ranks, wrapping and open edges, sub-grids: what both Java MPI APIs' Cartesian communicators answer. */
class CartesianGridTest
{
    /** 2 x 3, the first dimension periodic: ranks 0 1 2 / 3 4 5. */
    private final CartesianGrid grid = new CartesianGrid(new int[]{2, 3}, new boolean[]{true, false});

    @Test
    void ranksAndCoordinatesAreRowMajorAndInverse()
    {
        for (int r = 0; r < 6; r++)
        {
            assertEquals(r, grid.rank(grid.coords(r)));
        }
        assertArrayEquals(new int[]{1, 2}, grid.coords(5));
        assertEquals(6, CartesianGrid.cells(grid.dims()));
    }

    @Test
    void periodicCoordinatesWrapAndOpenOnesAreOutside()
    {
        assertEquals(-1, grid.outsideDimension(new int[]{-1, 2}));
        assertEquals(5, grid.rank(new int[]{-1, 2}));
        assertEquals(1, grid.outsideDimension(new int[]{0, 3}));
        assertEquals(1, grid.outsideDimension(new int[]{0, -1}));
    }

    @Test
    void neighboursWrapOnPeriodicDimensionsAndStopAtOpenEdges()
    {
        assertEquals(3, grid.neighbour(0, 0, 1));
        assertEquals(3, grid.neighbour(0, 0, -1));
        assertEquals(1, grid.neighbour(0, 1, 1));
        assertEquals(CartesianGrid.NONE, grid.neighbour(0, 1, -1));
        assertEquals(CartesianGrid.NONE, grid.neighbour(2, 1, 1));
    }

    @Test
    void subGridsKeepTheMarkedDimensions()
    {
        final CartesianGrid.Sub row = grid.sub(4, new boolean[]{false, true});
        assertEquals(1, row.colour());
        assertEquals(1, row.key());
        assertArrayEquals(new int[]{3}, row.grid().dims());
        assertArrayEquals(new boolean[]{false}, row.grid().periods());
        final CartesianGrid.Sub column = grid.sub(4, new boolean[]{true, false});
        assertEquals(1, column.colour());
        assertEquals(1, column.key());
        assertArrayEquals(new boolean[]{true}, column.grid().periods());
    }
}
