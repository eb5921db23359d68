package dev.ringfold.mpi;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContextRoutesTest
{
    @Test
    void aRevocationCoversBothContextsAndTheFirstRevokerStands()
    {
        final ContextRoutes routes = new ContextRoutes();
        assertEquals(-1, routes.revoker(4));
        assertTrue(routes.revoke(4, 3));
        assertFalse(routes.revoke(4, 1));
        assertEquals(3, routes.revoker(4));
        assertEquals(3, routes.revoker(5)); // the communicator's collective context
        assertEquals(-1, routes.revoker(6));
        assertEquals(-1, routes.revoker(2));
        assertNull(routes.communicator(4));
    }
}
