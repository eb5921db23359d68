package dev.ringfold.collectives;

import dev.ringfold.tensors.DType;
import dev.ringfold.tensors.ReduceOp;

/** An all-reduce algorithm: prepares its state machine for one call ({@code src == dst}: in place). */
interface AllReducer
{
    Operation allReduce(long src, long dst, long count, DType dtype, ReduceOp op);
}
