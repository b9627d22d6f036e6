package io.linkwatch.streams.alert;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Test-only serde that passes objects by reference through a {@code TopologyTestDriver} topic: the
 * window engine hands the alert stage {@link WindowResult}s in memory, so tests feed them the same
 * way without inventing a wire format the product does not have.
 */
final class RefSerde<T> implements Serde<T> {

  private static final Map<Long, Object> OBJECTS = new ConcurrentHashMap<>();
  private static final AtomicLong IDS = new AtomicLong();

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> {
      if (value == null) {
        return null;
      }
      long id = IDS.incrementAndGet();
      OBJECTS.put(id, value);
      return ByteBuffer.allocate(8).putLong(id).array();
    };
  }

  @Override
  @SuppressWarnings("unchecked")
  public Deserializer<T> deserializer() {
    return (topic, bytes) ->
        bytes == null ? null : (T) OBJECTS.remove(ByteBuffer.wrap(bytes).getLong());
  }
}
