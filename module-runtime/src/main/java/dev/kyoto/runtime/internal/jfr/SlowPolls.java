package dev.kyoto.runtime.internal.jfr;

import dev.kyoto.runtime.internal.context.RuntimeContext;
import dev.kyoto.runtime.internal.task.Task;

/** Times polls as {@link SlowPollEvent}s, while a recording has them enabled. */
final class SlowPolls {
    private SlowPolls() {
    }

    static void run(Task<?> task, RuntimeContext cx, int worker) {
        SlowPollEvent event = new SlowPollEvent();
        event.begin();
        try {
            task.run(cx);
        } finally {
            event.end();
            if (event.shouldCommit()) {
                event.task = task.name();
                event.worker = worker;
                event.commit();
            }
        }
    }
}
