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

  @Test
  void shouldWaitForEveryExpectedUpstreamTaskBeforeMoving() {
    // given a stage below a repartition fed by three upstream tasks, in a catch-up where the first
    // one started 20 minutes of event time ahead of the others
    EventClock below = new EventClock(IDLE_MS, 3);
    below.init(context, store);
    below.onUpstreamTick("0_0", 20 * MIN);
    below.onUpstreamTick("0_1", 2 * MIN);

    // then it does not move while one has not ticked
    assertThat(below.onRecord(20 * MIN)).isEqualTo(Long.MIN_VALUE);

    // when the last one ticks, it follows the slowest
    below.onUpstreamTick("0_2", MIN);
    assertThat(below.onRecord(20 * MIN)).isEqualTo(MIN);
  }

  @Test
  void shouldStopWaitingForAnUpstreamTaskThatNeverTicks() {
    // given three expected upstream tasks, one of which never ticks (its partition has no record)
    EventClock below = new EventClock(IDLE_MS, 3);
    below.init(context, store);
    below.onUpstreamTick("0_0", 20 * MIN);
    below.onUpstreamTick("0_1", 19 * MIN);
    assertThat(below.onRecord(20 * MIN)).isEqualTo(Long.MIN_VALUE);

    // when 3 x the idle close of wall clock has passed since the start
    context.setCurrentSystemTimeMs(1_000_000 + 3 * IDLE_MS + 1);

    // then it goes on with the two it heard from
    below.onUpstreamTick("0_0", 21 * MIN);
    below.onUpstreamTick("0_1", 21 * MIN);
    assertThat(below.onRecord(21 * MIN)).isEqualTo(21 * MIN);
  }

  @Test
  void shouldNotWaitAgainAfterARestartForUpstreamsItHeardFromBefore() {
    EventClock below = new EventClock(IDLE_MS, 2);
    below.init(context, store);
    below.onUpstreamTick("0_0", 5 * MIN);
    below.onUpstreamTick("0_1", 4 * MIN);
    below.onRecord(5 * MIN);

    // the task moves to another instance: the upstream watermarks come back with its store
    EventClock moved = new EventClock(IDLE_MS, 2);
    moved.init(context, store);

    assertThat(moved.onRecord(5 * MIN)).isEqualTo(4 * MIN);
  }
}
