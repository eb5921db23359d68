package dev.ringfold.mpi.transport.shm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    void ringFileIsPrivateUnguessableAndIsGoneOnceUnlinked() throws Exception
    {
        // what an older Ringfold named its files, and so what anyone could squat: not used any more
        final Path predictable = dir.resolve("ringfold-jobX-r0");
        Files.writeString(predictable, "a file somebody else put there first");
        try (ShmTransport shm = ShmTransport.create(dir, "jobX", 0, 1, new int[] {0}, 1 << 16))
        {
            final Path path = dir.resolve(shm.fileName());
            assertTrue(shm.fileName().matches("ringfold-jobX-r0-[0-9a-f]{32}"), shm.fileName());
            assertTrue(Files.exists(path));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
            assertEquals(RingFile.fileLength(1, 1 << 16), Files.size(path));
            shm.mapPeers(dir, "jobX", new String[] {shm.fileName()}, new long[] {ProcessHandle.current().pid()});
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
            assertEquals(List.of(predictable), files.toList(), "nothing of its own left behind");
        }
    }

    @Test
    void aFileOfOtherSettingsIsRefusedWithAReason() throws Exception
    {
        try (RingFile file = RingFile.create(dir.resolve("ringfold-j-r1"), 2, 1 << 16))
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> RingFile.map(dir.resolve("ringfold-j-r1"), 2, 1 << 17, file.owner()));
            assertTrue(ex.getMessage().contains("mixed Ringfold settings"), ex.getMessage());
        }
    }

    @Test
    void aPeerNameOfAnotherFormOrALinkIsNotMapped() throws Exception
    {
        try (RingFile file = RingFile.create(RingFile.newPath(dir, "j", 1), 2, 1 << 16))
        {
            final String name = file.path().getFileName().toString();
            assertEquals(file.path(), RingFile.peerPath(dir, "j", 1, name));
            for (final String bad : new String[] {"../" + name, name.replace("-r1-", "-r2-"), "ringfold-j-r1", name + "x"})
            {
                final IllegalStateException ex = assertThrows(IllegalStateException.class,
                    () -> RingFile.peerPath(dir, "j", 1, bad));
                assertTrue(ex.getMessage().contains("rank 1 named its shared-memory file"), ex.getMessage());
            }
            // the same file under a name made a link: refused, not followed
            final Path link = Files.createSymbolicLink(dir.resolve("ringfold-j-r1-" + "0".repeat(32)), file.path());
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> RingFile.map(link, 2, 1 << 16, file.owner()));
            assertTrue(ex.getMessage().contains("not a regular file"), ex.getMessage());
            // creating over an existing name fails rather than opening what is there
            assertThrows(java.io.UncheckedIOException.class, () -> RingFile.create(link, 2, 1 << 16));
        }
    }

    @Test
    void anUnlinkedFileIsReachedThroughItsOwnersDescriptorOnlyAsThatRanksFile() throws Exception
    {
        try (RingFile file = RingFile.create(RingFile.newPath(dir, "j", 1), 2, 1 << 16))
        {
            final Path link = file.openLink();
            file.unlink();
            assertTrue(link.toString().matches("/proc/" + ProcessHandle.current().pid() + "/fd/\\d+"), link.toString());
            // a second mapping of the same memory, as a replacement of a dead peer makes it
            try (RingFile again = RingFile.mapThroughLink(link, dir, "j", 1, 2, 1 << 16, file.owner()))
            {
                assertTrue(file.ring(1).write(7, new org.agrona.concurrent.UnsafeBuffer(new byte[] {42}), 0, 1));
                final int[] seen = new int[2];
                assertEquals(1, again.ring(1).read((type, buffer, index, length) ->
                {
                    seen[0] = type;
                    seen[1] = buffer.getByte(index);
                }));
                assertEquals(7, seen[0]);
                assertEquals(42, seen[1]);
                // a record left claimed and never committed by a dead producer: reset empties the ring for the next
                final int claimed = again.ring(1).tryClaim(7, 8);
                assertTrue(claimed > 0);
                file.reset(1);
                assertTrue(again.ring(1).write(7, new org.agrona.concurrent.UnsafeBuffer(new byte[] {43}), 0, 1));
                assertEquals(1, file.ring(1).read((type, buffer, index, length) -> seen[1] = buffer.getByte(index)));
                assertEquals(43, seen[1]);
            }
            // the link leads to rank 1's file: offered as another rank's, it is refused
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> RingFile.mapThroughLink(link, dir, "j", 2, 2, 1 << 16, file.owner()));
            assertTrue(ex.getMessage().contains("rank 2 named its shared-memory file"), ex.getMessage());
        }
    }
}
