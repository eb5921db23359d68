package dev.ringfold.mpi.transport.mpinative;

import dev.ringfold.mpi.RingfoldException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the site's MPI library and checks that it speaks an ABI this package knows: Open MPI 4.x/5.x, whose
 * predefined handles are the addresses of global symbols ({@code ompi_mpi_comm_world}, {@code ompi_mpi_byte},
 * {@code ompi_request_null}) and whose {@code MPI_Status} starts {@code MPI_SOURCE, MPI_TAG, MPI_ERROR}.
 * MPICH-family libraries (integer handles) are recognised by their symbols and refused with a message that
 * says so. Looked up in order: {@code RINGFOLD_MPI_LIB}, then {@code libmpi.so.40}, {@code libmpi.so}, and the
 * Debian/Ubuntu and RHEL install paths of Open MPI.
 */
public final class MpiLibrary
{
    public static final String LIBRARY_VARIABLE = "RINGFOLD_MPI_LIB";

    private static final List<String> STANDARD_NAMES = List.of("libmpi.so.40", "libmpi.so",
        "/usr/lib/x86_64-linux-gnu/openmpi/lib/libmpi.so", "/usr/lib64/openmpi/lib/libmpi.so",
        "/usr/lib/aarch64-linux-gnu/openmpi/lib/libmpi.so");
    private static final String[] REQUIRED_FUNCTIONS = {"MPI_Init_thread", "MPI_Finalize", "MPI_Finalized",
        "MPI_Comm_rank", "MPI_Comm_size", "MPI_Comm_dup", "MPI_Comm_free", "MPI_Isend", "MPI_Irecv", "MPI_Recv_init",
        "MPI_Start", "MPI_Test", "MPI_Wait", "MPI_Cancel", "MPI_Request_free", "MPI_Allgather", "MPI_Error_string",
        "MPI_Iallreduce", "MPI_Ibcast", "MPI_Comm_group", "MPI_Group_incl", "MPI_Group_free", "MPI_Comm_create_group"};
    private static final String[] OPEN_MPI_HANDLES = {"ompi_mpi_comm_world", "ompi_mpi_byte", "ompi_request_null",
        "ompi_mpi_float", "ompi_mpi_double", "ompi_mpi_int32_t", "ompi_mpi_int64_t", "ompi_mpi_op_sum",
        "ompi_mpi_op_prod", "ompi_mpi_op_min", "ompi_mpi_op_max"};

    private static MpiLibrary loaded;

    final String name;
    final SymbolLookup symbols;
    final MemorySegment commWorld;
    final MemorySegment byteType;
    final MemorySegment requestNull;

    private MpiLibrary(final String name, final SymbolLookup symbols)
    {
        this.name = name;
        this.symbols = symbols;
        final List<String> missing = new ArrayList<>();
        for (final String f : REQUIRED_FUNCTIONS)
        {
            if (symbols.find(f).isEmpty())
            {
                missing.add(f);
            }
        }
        if (!missing.isEmpty())
        {
            throw new RingfoldException("MPI library " + name + " lacks " + missing + ": not an MPI-3 library");
        }
        final List<String> handles = new ArrayList<>();
        for (final String h : OPEN_MPI_HANDLES)
        {
            if (symbols.find(h).isEmpty())
            {
                handles.add(h);
            }
        }
        if (!handles.isEmpty())
        {
            final boolean mpich = symbols.find("MPIR_Err_return_comm").isPresent() ||
                symbols.find("MPICH_Abi_version").isPresent() || symbols.find("MPIX_Comm_agree").isPresent() &&
                symbols.find("ompi_mpi_comm_self").isEmpty();
            throw new RingfoldException("MPI library " + name + " does not export " + handles + ": the native device " +
                "knows Open MPI's ABI (handles are global symbols) only" + (mpich ? "; this looks like an " +
                "MPICH-family library (integer handles), which is not supported yet" : "") + "; point " +
                LIBRARY_VARIABLE + " at Open MPI's libmpi.so");
        }
        this.commWorld = symbols.find("ompi_mpi_comm_world").orElseThrow();
        this.byteType = symbols.find("ompi_mpi_byte").orElseThrow();
        this.requestNull = symbols.find("ompi_request_null").orElseThrow();
    }

    /** The library this process uses, loaded on first call (once per process: MPI can be initialised once). */
    public static synchronized MpiLibrary load(final Map<String, String> env)
    {
        if (loaded == null)
        {
            loaded = open(env);
        }
        return loaded;
    }

    static synchronized MpiLibrary loaded()
    {
        if (loaded == null)
        {
            throw new IllegalStateException("MpiLibrary.load has not been called");
        }
        return loaded;
    }

    static MpiLibrary open(final Map<String, String> env)
    {
        final String given = env.get(LIBRARY_VARIABLE);
        final List<String> candidates = given != null && !given.isBlank() ? List.of(given.trim()) : STANDARD_NAMES;
        final List<String> tried = new ArrayList<>();
        for (final String candidate : candidates)
        {
            final Optional<SymbolLookup> lookup = tryOpen(candidate);
            if (lookup.isPresent())
            {
                return new MpiLibrary(candidate, lookup.get());
            }
            tried.add(candidate);
        }
        throw new RingfoldException("no MPI library found (tried " + tried + "); install Open MPI (Debian: " +
            "libopenmpi3 or openmpi-bin) or set " + LIBRARY_VARIABLE + " to the path of its libmpi.so");
    }

    private static Optional<SymbolLookup> tryOpen(final String candidate)
    {
        if (candidate.contains("/") && !Files.exists(Path.of(candidate)))
        {
            return Optional.empty();
        }
        try
        {
            // the global arena: libmpi stays mapped until the process exits, as MPI cannot be initialised twice
            return Optional.of(SymbolLookup.libraryLookup(candidate, Arena.global()));
        }
        catch (final IllegalArgumentException ex)
        {
            return Optional.empty();
        }
    }

    /** The address of one of the library's predefined handles (a global symbol in Open MPI's ABI). */
    long handle(final String symbol)
    {
        return symbols.find(symbol).orElseThrow().address();
    }

    public String name()
    {
        return name;
    }
}
