package dev.kyoto.tls;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The peer tests' one promise about their tools: a missing one fails the test and says how to install it. */
class PeerProcessTest {
    @Test
    void aMissingToolFailsNamingThePackageAndTheScript() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> PeerProcess.tool("kyoto-no-such-tool", "kyoto-no-such-package"));
        assertTrue(e.getMessage().startsWith("kyoto-no-such-tool is not on the PATH"), e.getMessage());
        assertTrue(e.getMessage().contains("Debian's kyoto-no-such-package package")
                && e.getMessage().contains("sh scripts/lib/install-tls-tools.sh"), e.getMessage());
    }
}
