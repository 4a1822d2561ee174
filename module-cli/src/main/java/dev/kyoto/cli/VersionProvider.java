package dev.kyoto.cli;

import java.lang.module.ModuleDescriptor;
import picocli.CommandLine.IVersionProvider;

/**
 * Answers {@code kyoto --version} from the version the build recorded in this module's
 * descriptor, so the tool never carries a second copy of the version number.
 */
final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        ModuleDescriptor descriptor = VersionProvider.class.getModule().getDescriptor();
        // Null when the classes run from the class path, where no module descriptor is read.
        String version = descriptor == null ? "unknown" : descriptor.rawVersion().orElse("unknown");
        return new String[] {"kyoto " + version, "Java " + Runtime.version()};
    }
}
