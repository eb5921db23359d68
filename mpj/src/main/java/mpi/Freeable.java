package mpi;

/** What mpiJava objects that can be freed have in common. */
public interface Freeable
{
    void free();
}
