/**
 * Kyoto's io_uring driver, reached through the Foreign Function &amp; Memory API with no native
 * library to ship. In progress (issue 22): so far the ring itself, set up, mapped, fed and reaped
 * from Java ({@code internal.ring}) over raw system calls ({@code internal.sys}); the
 * {@code IoDriverProvider} that will make the runtime choose it comes next.
 */
module dev.kyoto.io.uring {
}
