package dev.ringfold.launch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Slurm allocation mpjrun runs in, when it runs in one (a batch script or an salloc shell: a job id but no
 * step id; inside a step, a task is already placed and mpjrun stays on its node). Read from
 * {@code SLURM_JOB_NODELIST} (a host list such as {@code n[01-03],gpu7}) and {@code SLURM_TASKS_PER_NODE}
 * (such as {@code 2(x3),1}), and {@code SLURMD_NODENAME}, the node the script runs on.
 */
record SlurmAllocation(String jobId, List<String> nodes, List<Integer> tasksPerNode, String thisNode)
{
    /** The allocation, or null when mpjrun is not inside one (or is inside a job step). */
    static SlurmAllocation detect(final Map<String, String> env) throws UsageException
    {
        final String job = env.get("SLURM_JOB_ID");
        if (job == null || job.isBlank() || env.containsKey("SLURM_STEP_ID"))
        {
            return null;
        }
        final String nodeList = env.getOrDefault("SLURM_JOB_NODELIST", env.get("SLURM_NODELIST"));
        final String tasks = env.getOrDefault("SLURM_TASKS_PER_NODE", env.get("SLURM_JOB_CPUS_PER_NODE"));
        if (nodeList == null || tasks == null)
        {
            throw new UsageException("inside Slurm job " + job + " but SLURM_JOB_NODELIST or SLURM_TASKS_PER_NODE is" +
                " missing; run mpjrun in an sbatch script or salloc shell");
        }
        final List<String> nodes = expandHostList(nodeList);
        final List<Integer> perNode = expandCounts(tasks);
        if (perNode.size() != nodes.size())
        {
            throw new UsageException("Slurm job " + job + ": " + nodes.size() + " nodes in '" + nodeList + "' but " +
                perNode.size() + " task counts in '" + tasks + "'");
        }
        return new SlurmAllocation(job.trim(), List.copyOf(nodes), List.copyOf(perNode),
            env.getOrDefault("SLURMD_NODENAME", nodes.getFirst()));
    }

    int tasks()
    {
        int total = 0;
        for (final int n : tasksPerNode)
        {
            total += n;
        }
        return total;
    }

    /** Expands a Slurm host list: {@code n[1-3,7],gpu[01-02]} is n1 n2 n3 n7 gpu01 gpu02. */
    static List<String> expandHostList(final String list) throws UsageException
    {
        final List<String> hosts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i <= list.length(); i++)
        {
            final char c = i < list.length() ? list.charAt(i) : ',';
            if (c == '[')
            {
                depth++;
            }
            else if (c == ']')
            {
                depth--;
            }
            else if (c == ',' && depth == 0)
            {
                final String item = list.substring(start, i).trim();
                if (!item.isEmpty())
                {
                    expandItem(item, hosts, list);
                }
                start = i + 1;
            }
        }
        if (depth != 0 || hosts.isEmpty())
        {
            throw new UsageException("cannot read the Slurm host list '" + list + "'");
        }
        return hosts;
    }

    private static void expandItem(final String item, final List<String> out, final String list) throws UsageException
    {
        final int open = item.indexOf('[');
        if (open < 0)
        {
            out.add(item);
            return;
        }
        final int close = item.indexOf(']', open);
        if (close < 0)
        {
            throw new UsageException("cannot read the Slurm host list '" + list + "'");
        }
        final String prefix = item.substring(0, open);
        final String rest = item.substring(close + 1);
        for (final String range : item.substring(open + 1, close).split(","))
        {
            final String[] ends = range.trim().split("-");
            try
            {
                final int from = Integer.parseInt(ends[0]);
                final int to = ends.length == 2 ? Integer.parseInt(ends[1]) : from;
                if (ends.length > 2 || to < from || to - from > 100_000)
                {
                    throw new NumberFormatException();
                }
                for (int n = from; n <= to; n++)
                {
                    // "01-10" keeps the width of its first number, as Slurm does
                    expandItem(prefix + String.format("%0" + ends[0].length() + "d", n) + rest, out, list);
                }
            }
            catch (final NumberFormatException ex)
            {
                throw new UsageException("cannot read '" + range + "' in the Slurm host list '" + list + "'");
            }
        }
    }

    /** Expands {@code 2(x3),1} to 2 2 2 1. */
    static List<Integer> expandCounts(final String counts) throws UsageException
    {
        final List<Integer> out = new ArrayList<>();
        for (final String part : counts.split(","))
        {
            final String p = part.trim();
            try
            {
                final int paren = p.indexOf("(x");
                final int n = Integer.parseInt(paren < 0 ? p : p.substring(0, paren));
                final int times = paren < 0 ? 1 : Integer.parseInt(p.substring(paren + 2, p.length() - 1));
                if (n < 1 || times < 1 || times > 100_000 || !(paren < 0 || p.endsWith(")")))
                {
                    throw new NumberFormatException();
                }
                for (int i = 0; i < times; i++)
                {
                    out.add(n);
                }
            }
            catch (final NumberFormatException | IndexOutOfBoundsException ex)
            {
                throw new UsageException("cannot read '" + p + "' in the Slurm task counts '" + counts + "'");
            }
        }
        return out;
    }
}
