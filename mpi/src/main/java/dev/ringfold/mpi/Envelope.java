package dev.ringfold.mpi;

import org.agrona.concurrent.UnsafeBuffer;

/** A message that arrived before its receive was posted: an eager payload kept in a pooled buffer, or an RTS. */
final class Envelope
{
    int ctx;
    int source;     // world rank
    int tag;
    int length;
    boolean rendezvous;
    int remoteSlot;
    long remoteAddress;
    long stamp;        // the collective call it belongs to (Frames); 0 for point-to-point
    UnsafeBuffer data; // eager payload, from the BufferPool
    Envelope next;
    Envelope prev;
}
