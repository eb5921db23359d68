package dev.ringfold.mpi;

import java.util.Arrays;

/**
 * One fault-tolerant agreement on a communicator (ULFM's MPIX_Comm_agree), the {@code seq}-th on it: every member
 * that survives it decides the same {@link #value()} (the bitwise AND of the flags of the members whose proposals
 * were counted), the same {@link #maxValue()} (the largest of their second numbers: {@link Communicator#shrink()}
 * agrees on a free context with it) and the same failed set, whatever ranks die before or during it. It runs on
 * engine frames of its own (AGREE), not on the communicator's contexts, so it works on a revoked communicator.
 *
 * <p>The protocol is single-decree Paxos with the "majority" replaced by "every member not known to have failed",
 * which is sound because the failure detector makes no false accusations (a rank is reported failed only once its
 * process is gone, its connection closed, or another rank saw either) and is eventually complete (gossip brings
 * every death to every survivor). The coordinator is the lowest member not known failed; its comm rank is its
 * epoch, and epochs only grow, since the dead never come back.
 * <ol>
 * <li>Each member sends STATE (its flags, its number, the failures it knows, and any decision it has accepted with
 * that decision's epoch) to the member it takes for the coordinator, and promises it not to accept anything from a
 * lower epoch. When it learns that its coordinator died it sends STATE to the next one. A coordinator other than
 * comm rank 0 (an earlier one may have died) also sends QUERY to every member; a member answers with STATE, or
 * with COMMIT if it has already decided (it keeps its decision to answer so).</li>
 * <li>Once the coordinator holds a STATE from every member not known failed, it proposes: the accepted decision of
 * the highest epoch among the STATEs, if any; else a fresh one: the failed set D = the union of every reported
 * failed set and its own (a member it has no STATE from is in it), the AND of the flags and the largest number of
 * the members outside D. It sends ACCEPT; a member accepts unless it promised a higher epoch, and answers ACK.</li>
 * <li>Once every member not known failed has acknowledged, the coordinator sends COMMIT; a member decides on it.</li>
 * </ol>
 * Why survivors never differ: a decision is committed only after every member alive at that moment accepted it.
 * A later coordinator hears from every live member, so from at least one that accepted it if any survivor decided
 * it; by induction on epochs, every decision accepted at an epoch at or above the committing one is the same, so
 * the highest-epoch accepted decision it adopts is that one. A member that decided answers later queries with its
 * decision, which the asker then commits. Why it ends: a coordinator waits only for members not known failed;
 * a member that dies is eventually known failed everywhere, and the next coordinator takes over with the same
 * proposals (the members send them again). A dead member's flags count only if it reported them and is outside
 * the decided failed set; every survivor's acknowledged failures become that set.
 */
final class Agreement implements Progressable, Completion
{
    static final int STATE = 1;
    static final int QUERY = 2;
    static final int ACCEPT = 3;
    static final int ACK = 4;
    static final int COMMIT = 5;

    private final Communicator comm;
    private final Engine engine;
    private final int seq;
    private final int n;
    private final int me;
    private final int words;

    private boolean started;
    private boolean hooked;
    private boolean done;
    private int value;
    private int maxValue;
    private long[] failedSet;

    private int promised = -1;         // the coordinator this member reported to; nothing from a lower epoch counts
    private int queriedBy = -1;        // a coordinator that asked before this member started
    private int acceptedEpoch = -1;
    private int acceptedValue;
    private int acceptedMax;
    private long[] acceptedFailed;

    // as coordinator: what the members reported
    private final boolean[] reported;
    private final int[] reportedFlags;
    private final int[] reportedMax;
    private final long[][] reportedFailed;
    private final int[] reportedEpoch;
    private final int[] reportedValue;
    private final int[] reportedMaxAccepted;
    private final long[][] reportedAccepted;
    private boolean coordinating;
    private boolean accepting;
    private final boolean[] acked;
    private int proposedValue;
    private int proposedMax;
    private long[] proposedFailed;
    private int coordinator = -1;

    Agreement(final Communicator comm, final int seq)
    {
        this.comm = comm;
        this.engine = comm.engine();
        this.seq = seq;
        this.n = comm.size();
        this.me = comm.rank();
        this.words = (n + 63) >>> 6;
        this.reported = new boolean[n];
        this.reportedFlags = new int[n];
        this.reportedMax = new int[n];
        this.reportedFailed = new long[n][];
        this.reportedEpoch = new int[n];
        this.reportedValue = new int[n];
        this.reportedMaxAccepted = new int[n];
        this.reportedAccepted = new long[n][];
        this.acked = new boolean[n];
        Arrays.fill(reportedEpoch, -1);
    }

    int seq()
    {
        return seq;
    }

    /** Enters the agreement with this member's proposal; it then advances on every progress of the rank. */
    void start(final int flags, final int max)
    {
        started = true;
        reported[me] = true;
        reportedFlags[me] = flags;
        reportedMax[me] = max;
        if (!done)
        {
            hooked = true;
            engine.addHook(this);
            doWork();
        }
    }

    @Override
    public boolean isComplete()
    {
        return done;
    }

    int value()
    {
        return value;
    }

    int maxValue()
    {
        return maxValue;
    }

    /** The decided failed set, as a bitmap over comm ranks. */
    long[] failedSet()
    {
        return failedSet;
    }

    @Override
    public String describe()
    {
        return "agreement #" + seq + " on " + comm.name() + " (coordinator: rank " + coordinator + ")";
    }

    @Override
    public String stallDetail()
    {
        if (coordinator != me)
        {
            return "waiting for the coordinator, rank " + coordinator + ", to decide";
        }
        final long[] known = known();
        final StringBuilder missing = new StringBuilder();
        for (int r = 0; r < n; r++)
        {
            if (r != me && !has(known, r) && !(accepting ? acked[r] : reported[r]))
            {
                missing.append(missing.isEmpty() ? "" : ", ").append(r);
            }
        }
        return "this rank coordinates; no " + (accepting ? "ACK" : "STATE") + " yet from ranks " + missing;
    }

    // ---------------------------------------------------------------------------------------------- advancing

    @Override
    public int doWork()
    {
        if (done || !started)
        {
            return 0;
        }
        final long[] known = known();
        final int lowest = lowestAlive(known);
        coordinator = Math.max(lowest, queriedBy);
        int work = 0;
        if (coordinator > promised)
        {
            promised = coordinator;
            if (coordinator != me)
            {
                report(coordinator);
                work++;
            }
        }
        if (lowest == me)
        {
            work += coordinate(known);
        }
        return work;
    }

    private int coordinate(final long[] known)
    {
        int work = 0;
        if (!coordinating)
        {
            coordinating = true;
            if (me > 0) // a lower rank may have coordinated before it died, and some members may have decided
            {
                for (int r = 0; r < n; r++)
                {
                    if (r != me && !has(known, r))
                    {
                        send(r, QUERY, 0, 0, null);
                        work++;
                    }
                }
            }
        }
        if (!accepting)
        {
            for (int r = 0; r < n; r++)
            {
                if (!reported[r] && !has(known, r))
                {
                    return work;
                }
            }
            propose(known);
            accepting = true;
            acked[me] = true;
            accept(me, proposedValue, proposedMax, proposedFailed);
            for (int r = 0; r < n; r++)
            {
                if (r != me && !has(known, r))
                {
                    send(r, ACCEPT, proposedValue, proposedMax, proposedFailed);
                    work++;
                }
            }
        }
        for (int r = 0; r < n; r++)
        {
            if (!acked[r] && !has(known, r))
            {
                return work;
            }
        }
        commitToAll(known, -1, proposedValue, proposedMax, proposedFailed);
        return work + 1;
    }

    /** The highest-epoch accepted decision any member reported, else a fresh one from the proposals. */
    private void propose(final long[] known)
    {
        int best = -1;
        for (int r = 0; r < n; r++)
        {
            if (reported[r] && reportedEpoch[r] >= 0 && (best < 0 || reportedEpoch[r] > reportedEpoch[best]))
            {
                best = r;
            }
        }
        if (best >= 0)
        {
            proposedValue = reportedValue[best];
            proposedMax = reportedMaxAccepted[best];
            proposedFailed = reportedAccepted[best].clone();
            return;
        }
        final long[] failed = known.clone();
        for (int r = 0; r < n; r++)
        {
            if (reported[r] && reportedFailed[r] != null)
            {
                for (int w = 0; w < words; w++)
                {
                    failed[w] |= reportedFailed[r][w];
                }
            }
            else if (!reported[r])
            {
                failed[r >>> 6] |= 1L << r; // it is known failed: the coordinator waited for every other
            }
        }
        int and = -1;
        int max = Integer.MIN_VALUE;
        for (int r = 0; r < n; r++)
        {
            if (!has(failed, r))
            {
                and &= reportedFlags[r];
                max = Math.max(max, reportedMax[r]);
            }
        }
        proposedValue = and;
        proposedMax = max;
        proposedFailed = failed;
    }

    private void accept(final int epoch, final int v, final int m, final long[] failed)
    {
        promised = Math.max(promised, epoch);
        acceptedEpoch = epoch;
        acceptedValue = v;
        acceptedMax = m;
        acceptedFailed = failed.clone();
        reportedEpoch[me] = epoch;
        reportedValue[me] = v;
        reportedMaxAccepted[me] = m;
        reportedAccepted[me] = acceptedFailed;
    }

    private void commitToAll(final long[] known, final int except, final int v, final int m, final long[] failed)
    {
        for (int r = 0; r < n; r++)
        {
            if (r != me && r != except && !has(known, r))
            {
                send(r, COMMIT, v, m, failed);
            }
        }
        decide(v, m, failed);
    }

    private void decide(final int v, final int m, final long[] failed)
    {
        done = true;
        value = v;
        maxValue = m;
        failedSet = failed.clone();
        if (hooked)
        {
            hooked = false;
            engine.removeHook(this);
        }
    }

    // ---------------------------------------------------------------------------------------------- messages

    /** A step from comm rank {@code from}; the bitmaps as {@link Frames} lays them out. */
    void onMessage(final int from, final int kind, final int epoch, final int v, final int m, final long[] failed,
        final int theirEpoch, final int theirValue, final int theirMax, final long[] theirAccepted)
    {
        switch (kind)
        {
            case STATE ->
            {
                if (done)
                {
                    send(from, COMMIT, value, maxValue, failedSet); // it takes this rank for its coordinator
                }
                reported[from] = true;
                reportedFlags[from] = v;
                reportedMax[from] = m;
                reportedFailed[from] = failed;
                if (theirEpoch > reportedEpoch[from])
                {
                    reportedEpoch[from] = theirEpoch;
                    reportedValue[from] = theirValue;
                    reportedMaxAccepted[from] = theirMax;
                    reportedAccepted[from] = theirAccepted;
                }
            }
            case QUERY ->
            {
                if (done)
                {
                    send(from, COMMIT, value, maxValue, failedSet);
                }
                else if (!started)
                {
                    queriedBy = Math.max(queriedBy, epoch);
                }
                else if (epoch > promised)
                {
                    promised = epoch;
                    report(epoch);
                }
            }
            case ACCEPT ->
            {
                if (done)
                {
                    send(from, ACK, 0, 0, null); // what it proposes is what this member decided (see above)
                }
                else if (started && epoch >= promised)
                {
                    accept(epoch, v, m, failed);
                    send(from, ACK, 0, 0, null);
                }
            }
            case ACK ->
            {
                if (accepting && epoch == me)
                {
                    acked[from] = true;
                }
            }
            case COMMIT ->
            {
                if (!done)
                {
                    if (started && coordinating)
                    {
                        commitToAll(known(), from, v, m, failed); // a member had decided: everyone must
                    }
                    else
                    {
                        decide(v, m, failed);
                    }
                }
            }
            default ->
            {
                // an unknown step: a newer peer's; nothing of it can be acted on
            }
        }
        doWork();
    }

    private void report(final int to)
    {
        send(to, STATE, reportedFlags[me], reportedMax[me], known());
    }

    /** The epoch a step carries: the coordinator's rank (STATE and ACK go to it; QUERY, ACCEPT, COMMIT come from it). */
    private void send(final int to, final int kind, final int v, final int m, final long[] failed)
    {
        engine.sendAgreement(comm.worldRank(to), comm.context(), seq, kind, kind == STATE || kind == ACK ? to : me,
            v, m, failed, acceptedEpoch, acceptedValue, acceptedMax, acceptedFailed, words);
    }

    // ---------------------------------------------------------------------------------------------- failures

    private long[] known()
    {
        return comm.failedNow();
    }

    private int lowestAlive(final long[] known)
    {
        for (int r = 0; r < n; r++)
        {
            if (!has(known, r))
            {
                return r;
            }
        }
        return me;
    }

    static boolean has(final long[] bits, final int r)
    {
        return bits != null && (bits[r >>> 6] & (1L << r)) != 0;
    }
}
