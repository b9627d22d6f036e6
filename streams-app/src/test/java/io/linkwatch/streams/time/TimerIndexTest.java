package io.linkwatch.streams.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Timers fire in due-time order, including the timers that firing schedules. */
class TimerIndexTest {

  private TimerIndex timers;

  @BeforeEach
  void setUp() {
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    KeyValueStore<String, byte[]> store =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("timers"), Serdes.String(), Serdes.ByteArray())
            .withLoggingDisabled()
            .build();
    store.init(context.getStateStoreContext(), store);
    timers = new TimerIndex(store);
  }

  @Test
  void shouldFireTimersThatFiringSchedulesBeforeLaterOnesAlreadyWaiting() {
    // given two series evaluated every minute, and a third due at minute 15
    timers.add(10, "a");
    timers.add(10, "b");
    timers.add(15, "c");

    // when the watermark jumps to minute 18 and each firing schedules the series' next minute
    List<String> fired = new ArrayList<>();
    long wm = 18;
    while (wm >= timers.earliest()) {
      List<TimerIndex.Timer> due = timers.due(wm);
      if (due.isEmpty()) {
        break;
      }
      for (TimerIndex.Timer t : due) {
        fired.add(t.subject() + "@" + t.time());
        if (!t.subject().equals("c")) {
          timers.add(t.time() + 1, t.subject());
        }
      }
    }

    // then every timer fires in due-time order: c's minute 15 comes after a's and b's minute 14
    assertThat(fired)
        .containsExactly(
            "a@10", "b@10", "a@11", "b@11", "a@12", "b@12", "a@13", "b@13", "a@14", "b@14", "a@15",
            "b@15", "c@15", "a@16", "b@16", "a@17", "b@17", "a@18", "b@18");
    assertThat(timers.earliest()).isEqualTo(19);
  }
}
