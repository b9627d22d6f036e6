package io.linkwatch.streams.time;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The watermark of one stage: its own input, its upstream inputs, and the wall clock. */
class EventClockTest {

  private static final long MIN = 60_000;
  private static final long IDLE_MS = 10_000;

  private final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
  private KeyValueStore<String, byte[]> store;
  private EventClock clock;

  @BeforeEach
  void setUp() {
    store =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("timers"), Serdes.String(), Serdes.ByteArray())
            .withLoggingDisabled()
            .build();
    store.init(context.getStateStoreContext(), store);
    context.setCurrentSystemTimeMs(1_000_000);
    clock = new EventClock(IDLE_MS);
    clock.init(context, store);
  }

  @Test
  void shouldFollowItsOwnInputNotTheTaskStreamTime() {
    // given another input of the task read 30 minutes ahead
    context.setCurrentStreamTimeMs(30 * MIN);

    // when this input reads a record of minute 1
    long wm = clock.onRecord(MIN);

    // then its watermark is minute 1
    assertThat(wm).isEqualTo(MIN);
  }

  @Test
  void shouldNotMoveBackAfterARestart() {
    clock.onRecord(10 * MIN + 1_500);

    EventClock restarted = new EventClock(IDLE_MS);
    restarted.init(context, store);

    assertThat(restarted.watermark()).isBetween(10 * MIN, 10 * MIN + 1_500);
  }

  @Test
  void shouldWaitForTheSlowestUpstreamTask() {
    clock.onUpstreamTick("1_0", 30 * MIN);
    clock.onUpstreamTick("1_1", 5 * MIN);

    assertThat(clock.onRecord(30 * MIN)).isEqualTo(5 * MIN);
  }

  @Test
  void shouldAdvanceAnIdleStageFromItsSlowestUpstreamNotItsFastest() {
    // given a fast and a slow upstream task
    clock.onUpstreamTick("1_0", 30 * MIN);
    clock.onUpstreamTick("1_1", 5 * MIN);
    clock.onRecord(30 * MIN);

    // when the stage reads nothing for 20 s of wall clock (a starved thread, a paused feed)
    context.setCurrentSystemTimeMs(1_020_000);
    clock.onWallClock(1_020_000);

    // then it moves on from the slow one by the wall-clock time, not from the fast one
    assertThat(clock.watermark()).isEqualTo(5 * MIN + 20_000);
  }

  @Test
  void shouldMoveOnFromTheFurthestUpstreamOnceEveryUpstreamFellSilent() {
    clock.onUpstreamTick("1_0", 30 * MIN);
    clock.onUpstreamTick("1_1", 5 * MIN);
    clock.onRecord(30 * MIN);

    // the input stopped everywhere: every upstream silent for longer than 3 x the idle close
    context.setCurrentSystemTimeMs(1_000_000 + 4 * IDLE_MS);

    assertThat(clock.watermark()).isEqualTo(30 * MIN);
  }
}
