package org.signalbox.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.signalbox.config.RedisUrl.Address;

class RedisUrlTest {

  @Test
  void oneRedisWithADatabaseAndTheDefaultUser() {
    RedisUrl url = RedisUrl.parse("redis://:secret@redis.example:6380/2");
    assertFalse(url.cluster());
    assertFalse(url.tls());
    assertNull(url.user());
    assertEquals("secret", url.password());
    assertEquals(List.of(new Address("redis.example", 6380)), url.hosts());
    assertEquals(2, url.database());
    assertEquals("secret", RedisUrl.parse("redis://secret@h").password());
    assertEquals(6379, RedisUrl.parse("rediss://h").hosts().get(0).port());
    assertTrue(RedisUrl.parse("rediss://h").tls());
  }

  @Test
  void anAclUserAndAnEscapedPassword() {
    RedisUrl url = RedisUrl.parse("redis://signalbox:p%40ss%2Fw@127.0.0.1:6379/0");
    assertEquals("signalbox", url.user());
    assertEquals("p@ss/w", url.password());
  }

  @Test
  void aClusterIsItsSeedNodes() {
    RedisUrl url = RedisUrl.parse("redis-cluster://sb:pw@10.0.0.1:7000,10.0.0.2:7001,[::1]:7002");
    assertTrue(url.cluster());
    assertEquals("sb", url.user());
    assertEquals(List.of(new Address("10.0.0.1", 7000), new Address("10.0.0.2", 7001),
        new Address("::1", 7002)), url.hosts());
    assertEquals(0, url.database());
    assertEquals("10.0.0.1:7000,10.0.0.2:7001,::1:7002", url.where());
    assertTrue(RedisUrl.parse("rediss-cluster://h1:1,h2:2/").tls());
  }

  @Test
  void whatIsNotARedisUrlIsRefusedWithoutItsPassword() {
    for (Map.Entry<String, String> bad : Map.of(
        "redis://h1:1,h2:2", "redis-cluster://",
        "redis-cluster://h1:1/3", "only database 0",
        "redis://h:70000", "out of range",
        "redis://h:1/zero", "not like",
        "http://h:1", "not like",
        "redis-cluster://:pw@h1:1,,h2:2", "is not host:port").entrySet()) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> RedisUrl.parse(bad.getKey()));
      assertTrue(e.getMessage().contains(bad.getValue()), bad.getKey() + ": " + e.getMessage());
      assertFalse(e.getMessage().contains("pw"), e.getMessage());
    }
  }
}
