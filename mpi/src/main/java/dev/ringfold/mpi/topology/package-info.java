/**
 * The arithmetic behind MPI's process groups and Cartesian topologies, written once for both Java MPI APIs (the
 * mpiJava 1.2 API of module {@code mpj} and Open MPI's Java API of module {@code openmpi-java}, each its own package
 * {@code mpi}). It works on plain arrays of ranks; each API checks its arguments first and words its own errors,
 * with its own constants, so the two keep their documented behaviour.
 */
package dev.ringfold.mpi.topology;
