package dev.kyoto.runtime.internal.jfr;

import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * Follows the JVM's recordings and tells {@link Jfr} whether polls must be timed. Asking JFR
 * whether an event is enabled registers its class, which costs tens of milliseconds the first
 * time: so it is asked only when a recording starts or stops (or runs already), never at a
 * runtime's start in a JVM that records nothing.
 */
final class RecordingWatch implements FlightRecorderListener {
    private RecordingWatch() {
    }

    static void start() {
        RecordingWatch watch = new RecordingWatch();
        FlightRecorder.addListener(watch);
        if (FlightRecorder.isInitialized() && !FlightRecorder.getFlightRecorder().getRecordings().isEmpty()) {
            watch.update();
        }
    }

    @Override
    public void recordingStateChanged(Recording recording) {
        update();
    }

    private void update() {
        boolean running = FlightRecorder.getFlightRecorder().getRecordings().stream()
                .anyMatch(r -> r.getState() == RecordingState.RUNNING);
        Jfr.update(running, running && EventType.getEventType(SlowPollEvent.class).isEnabled());
    }
}
