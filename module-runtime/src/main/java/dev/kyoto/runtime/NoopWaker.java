package dev.kyoto.runtime;

/** The waker behind {@link Waker#noop()}. */
enum NoopWaker implements Waker {
    INSTANCE;

    @Override
    public void wake() {
    }
}
