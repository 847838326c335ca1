package org.signalbox.cluster;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds every room of the cluster for the admin API's list. Rooms have no index of their own
 * (each lives under its partition's hash tag), so the list is a {@code SCAN} of the member hashes: a cost the
 * admin API pays per call, proportional to the keys in Redis, and never the message path's.
 */
final class RedisAdmin {

  /** Keys asked for per SCAN step. */
  private static final int SCAN_COUNT = 1_000;
  /** Bounds one list call: at most this many SCAN steps. */
  private static final int MAX_STEPS = 10_000;

  private RedisAdmin() {}

  /** The member hashes of every room, {@code sb:{<partition>}:r:<room>:m}, on every shard. */
  static List<String> roomKeys(RedisConnector.Session session) {
    List<String> keys = new ArrayList<>();
    ScanArgs args = ScanArgs.Builder.matches(Keys.MEMBERS_PATTERN).limit(SCAN_COUNT);
    ScanCursor cursor = ScanCursor.INITIAL;
    for (int step = 0; step < MAX_STEPS && !cursor.isFinished(); step++) {
      KeyScanCursor<String> page =
          Blocking.await(session.redis().scan(cursor, args).toCompletableFuture());
      keys.addAll(page.getKeys());
      cursor = page;
    }
    return keys;
  }
}
