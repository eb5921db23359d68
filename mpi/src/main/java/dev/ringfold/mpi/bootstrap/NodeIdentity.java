package dev.ringfold.mpi.bootstrap;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which node this process is on, as far as shared memory goes: the same kernel (boot id), the same network
 * namespace and the same host name. Two ranks in different network namespaces of one machine count as different
 * nodes, which is how tests stand up several "hosts" on one machine.
 */
public final class NodeIdentity
{
    private NodeIdentity()
    {
    }

    public static String current(final String override)
    {
        if (override != null && !override.isBlank())
        {
            return override.trim();
        }
        return hostName() + "/" + read("/proc/sys/kernel/random/boot_id") + "/" + link("/proc/self/ns/net");
    }

    /**
     * This host's name, as gethostname(2) gives it: read from /proc rather than through
     * {@code InetAddress.getLocalHost()}, which also resolves the name (and, first, looks for name-service providers
     * in every jar of the class path) at a cost every rank would pay at start-up.
     */
    public static String hostName()
    {
        final String name = read("/proc/sys/kernel/hostname");
        if (!name.isEmpty() && !name.equals("?"))
        {
            return name;
        }
        try
        {
            return InetAddress.getLocalHost().getHostName();
        }
        catch (final IOException ex)
        {
            return "localhost"; // no name at all: the boot id and namespace still tell nodes apart
        }
    }

    private static String read(final String file)
    {
        try
        {
            return Files.readString(Path.of(file)).trim();
        }
        catch (final IOException ex)
        {
            return "?";
        }
    }

    private static String link(final String file)
    {
        try
        {
            return Files.readSymbolicLink(Path.of(file)).toString();
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            return "?";
        }
    }
}
