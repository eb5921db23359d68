package dev.ringfold.mpi.bootstrap;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What ranks tell each other at start-up comes back as it was sent, and a cut-off blob says what it was meant to be. */
class BlobsTest
{
    @Test
    void cardsAndContactsComeBackAsTheyWent()
    {
        final EndpointCard card = new EndpointCard(3, 123_456_789_012L, "node-ü", "host7");
        assertEquals(card, EndpointCard.decode(card.encode()));
        final Contact contact = new Contact("ringfold-job-3", "10.0.0.7", 40_123);
        assertEquals(contact, Contact.decode(contact.encode()));
        final Contact noTcp = new Contact("ringfold-job-4", "", 0);
        assertEquals(noTcp, Contact.decode(noTcp.encode()));
    }

    @Test
    void aCutOffBlobIsMalformedAndNamed()
    {
        final byte[] card = new EndpointCard(1, 2L, "n", "h").encode();
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> EndpointCard.decode(Arrays.copyOf(card, card.length - 1)));
        assertEquals("malformed endpoint card of " + (card.length - 1) + " bytes", ex.getMessage());
        final byte[] contact = new Contact("r", "h", 1).encode();
        assertTrue(assertThrows(IllegalStateException.class, () -> Contact.decode(Arrays.copyOf(contact, 5)))
            .getMessage().startsWith("malformed contact of 5 bytes"));
    }
}
