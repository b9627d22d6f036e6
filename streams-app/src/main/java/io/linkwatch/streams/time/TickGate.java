package io.linkwatch.streams.time;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.kafka.streams.processor.TaskId;

/**
 * One event-time tick per task and tick interval, however many processors of the task would send
 * it. The three correlators of a correlation task all tick their task's stream time; without the
 * gate each of them would broadcast the same tick to every partition of both repartition topics,
 * three times the records for the same information. Shared by the processors of one topology
 * instance (tasks of several stream threads: thread-safe).
 */
public final class TickGate {

  private final ConcurrentMap<TaskId, Long> last = new ConcurrentHashMap<>();

  /** True when {@code interval} is newer than any tick {@code task} has sent: send it. */
  public boolean pass(TaskId task, long interval) {
    boolean[] passed = {false};
    last.compute(
        task,
        (k, previous) -> {
          if (previous == null || interval > previous) {
            passed[0] = true;
            return interval;
          }
          return previous;
        });
    return passed[0];
  }
}
