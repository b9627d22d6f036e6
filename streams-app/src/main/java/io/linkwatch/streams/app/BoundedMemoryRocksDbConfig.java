package io.linkwatch.streams.app;

import io.linkwatch.streams.config.StreamsAppConfig;
import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the off-heap memory of every RocksDB store of the instance: one LRU block cache shared by
 * all stores ({@value StreamsAppConfig#ROCKSDB_BLOCK_CACHE_BYTES}), with the memtables charged to
 * it through one write buffer manager ({@value StreamsAppConfig#ROCKSDB_WRITE_BUFFER_BYTES}), and
 * index and filter blocks cached (and so bounded) too. This is the recipe of the Kafka Streams
 * memory-management guide; with it, a million tracked devices cost disk, not memory.
 */
public final class BoundedMemoryRocksDbConfig implements RocksDBConfigSetter {

  private static Cache cache;
  private static WriteBufferManager writeBuffers;

  private static synchronized void init(long cacheBytes, long writeBufferBytes) {
    if (cache == null) {
      cache = new LRUCache(cacheBytes, -1, false, 0.1);
      writeBuffers = new WriteBufferManager(writeBufferBytes, cache);
    }
  }

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    init(
        bytes(configs, StreamsAppConfig.ROCKSDB_BLOCK_CACHE_BYTES, 64L << 20),
        bytes(configs, StreamsAppConfig.ROCKSDB_WRITE_BUFFER_BYTES, 32L << 20));
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(cache);
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setWriteBufferManager(writeBuffers);
    options.setTableFormatConfig(table);
    options.setMaxWriteBufferNumber(2);
  }

  @Override
  public void close(String storeName, Options options) {
    // the cache and the write buffer manager are shared: never closed per store
  }

  private static long bytes(Map<String, Object> configs, String key, long dflt) {
    Object v = configs.get(key);
    if (v == null) {
      return dflt;
    }
    return v instanceof Number n ? n.longValue() : Long.parseLong(v.toString().strip());
  }
}
