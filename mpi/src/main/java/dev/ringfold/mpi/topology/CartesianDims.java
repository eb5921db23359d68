package dev.ringfold.mpi.topology;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * MPI_Dims_create's arithmetic, shared by both Java MPI APIs (each checks the arguments and words its own errors):
 * the free (zero) entries of a grid's dimensions get a factorisation of what the preset entries leave, as balanced
 * as can be and in non-increasing order.
 */
public final class CartesianDims
{
    private CartesianDims()
    {
    }

    /**
     * Fills the zero entries of {@code dims} so that they multiply to {@code product}: its prime factors, largest
     * first, each onto the free dimension with the smallest product so far. Non-zero entries are kept.
     */
    public static void fillFree(final int product, final int[] dims)
    {
        int free = 0;
        for (final int d : dims)
        {
            if (d == 0)
            {
                free++;
            }
        }
        if (free == 0)
        {
            return;
        }
        final List<Integer> primes = new ArrayList<>();
        int m = product;
        for (int f = 2; (long)f * f <= m; f++)
        {
            while (m % f == 0)
            {
                primes.add(f);
                m /= f;
            }
        }
        if (m > 1)
        {
            primes.add(m);
        }
        primes.sort((a, b) -> b - a);
        final int[] made = new int[free];
        Arrays.fill(made, 1);
        for (final int p : primes)
        {
            int smallest = 0;
            for (int i = 1; i < free; i++)
            {
                if (made[i] < made[smallest])
                {
                    smallest = i;
                }
            }
            made[smallest] *= p;
        }
        Arrays.sort(made);
        int next = free - 1;
        for (int i = 0; i < dims.length; i++)
        {
            if (dims[i] == 0)
            {
                dims[i] = made[next--];
            }
        }
    }
}
