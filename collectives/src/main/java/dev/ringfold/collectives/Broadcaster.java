package dev.ringfold.collectives;

/** A broadcast algorithm: prepares its state machine to copy {@code bytes} at {@code address} from {@code root}. */
interface Broadcaster
{
    Operation broadcast(long address, long bytes, int root);
}
