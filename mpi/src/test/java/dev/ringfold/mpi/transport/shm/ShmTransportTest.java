package dev.ringfold.mpi.transport.shm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShmTransportTest
{
    @TempDir
    Path dir;

    @Test
    void ringFileIsPrivateReplacesAStaleOneAndIsGoneOnceUnlinked() throws Exception
    {
        final Path path = dir.resolve("ringfold-jobX-r0");
        Files.writeString(path, "stale file of a dead job with the same id");
        try (ShmTransport shm = ShmTransport.create(dir, "jobX", 0, 1, new int[] {0}, 1 << 16))
        {
            assertTrue(Files.exists(path));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
            assertEquals(RingFile.fileLength(1, 1 << 16), Files.size(path));
            shm.mapPeers(dir, "jobX", new long[] {ProcessHandle.current().pid()});
            shm.unlinkOwn();
            assertFalse(Files.exists(path));
            // the mapping outlives the name: a frame to ourselves still goes through
            final var ch = shm.channel(0);
            final int at = ch.tryClaim(16);
            ch.buffer().putLong(at, 42L);
            ch.commit(at);
            final long[] got = new long[1];
            assertEquals(1, shm.poll(new dev.ringfold.mpi.transport.FrameHandler()
            {
                @Override
                public void onFrame(final int peer, final org.agrona.DirectBuffer buffer, final int offset, final int length)
                {
                    got[0] = buffer.getLong(offset);
                }

                @Override
                public void onPeerFailure(final int peer, final String reason)
                {
                    throw new AssertionError(reason);
                }
            }, 10));
            assertEquals(42L, got[0]);
        }
        try (var files = Files.list(dir))
        {
            assertEquals(0, files.count(), "nothing left behind");
        }
    }

    @Test
    void aFileOfOtherSettingsIsRefusedWithAReason() throws Exception
    {
        try (RingFile ignored = RingFile.create(dir.resolve("ringfold-j-r1"), 2, 1 << 16))
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> RingFile.map(dir.resolve("ringfold-j-r1"), 2, 1 << 17));
            assertTrue(ex.getMessage().contains("mixed Ringfold settings"), ex.getMessage());
        }
    }
}
