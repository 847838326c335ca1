package org.signalbox.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.signalbox.config.SettingSource;
import org.signalbox.config.SettingsLoader;

/** The bounds of relays in flight to Redis, with the default settings (burst 500, 64 KiB). */
class InFlightTest {

  private static final long BIG = 60_000;
  private static final long SMALL = 200;

  private final InFlight inFlight = new InFlight(SettingsLoader.load(SettingSource.of(Map.of())));

  @Test
  void aConnectionMayHaveAWholeBurstOfSmallRelaysInFlightAndNoMore() {
    InFlight.Share share = new InFlight.Share();
    for (int i = 0; i < 500; i++) {
      assertNull(inFlight.take(share, SMALL), "relay " + i);
    }
    assertEquals(InFlight.Refusal.CONNECTION, inFlight.take(share, SMALL));
    inFlight.done(share, SMALL);
    assertNull(inFlight.take(share, SMALL), "one answered, one more may go");
  }

  @Test
  void aConnectionMayHave256KibibytesOfRelaysInFlight() {
    InFlight.Share share = new InFlight.Share();
    for (int i = 0; i < 4; i++) {
      assertNull(inFlight.take(share, BIG), "relay " + i);
    }
    assertEquals(InFlight.Refusal.CONNECTION, inFlight.take(share, BIG));
    assertEquals(4 * BIG, inFlight.bytes());
  }

  @Test
  void aConnectionWithNothingInFlightMayAlwaysSendOneMessageOfAnySize() {
    InFlight.Share share = new InFlight.Share();
    assertNull(inFlight.take(share, 300_000));
    assertEquals(InFlight.Refusal.CONNECTION, inFlight.take(share, SMALL));
  }

  @Test
  void burstingConnectionsFillTheNodeButAQuietOneKeepsItsReserve() {
    List<InFlight.Share> bursting = new ArrayList<>();
    int nodeRefusals = 0;
    for (int c = 0; c < 50; c++) {
      InFlight.Share share = new InFlight.Share();
      bursting.add(share);
      for (int i = 0; i < 4; i++) {
        InFlight.Refusal refusal = inFlight.take(share, BIG);
        if (refusal != null) {
          assertEquals(InFlight.Refusal.NODE, refusal);
          nodeRefusals++;
        }
      }
    }
    assertTrue(nodeRefusals > 0, "fifty bursting connections pass the node's bound");
    long reserves = 50L * InFlight.RESERVED_BYTES;
    assertTrue(inFlight.peakBytes() <= InFlight.NODE_BYTES + reserves + BIG,
        "bounded: " + inFlight.peakBytes());

    // A connection that had nothing in flight still gets its reserve's worth through: its
    // signaling; past it the node's bound holds.
    InFlight.Share quiet = new InFlight.Share();
    for (int i = 0; i < InFlight.RESERVED_COMMANDS; i++) {
      assertNull(inFlight.take(quiet, SMALL), "a quiet connection's relay " + i);
    }
    int big = 0;
    InFlight.Refusal past = null;
    while (past == null && big < 2) {
      past = inFlight.take(quiet, BIG);
      big += past == null ? 1 : 0;
    }
    assertEquals(InFlight.Refusal.NODE, past, "past its reserve, the node's bound holds");

    for (InFlight.Share share : bursting) {
      while (true) {
        // Answer everything: the node's shared bound is free again.
        if (inFlight.count() == 0) {
          break;
        }
        if (!release(share)) {
          break;
        }
      }
    }
    for (int i = 0; i < InFlight.RESERVED_COMMANDS; i++) {
      inFlight.done(quiet, SMALL);
    }
    for (int i = 0; i < big; i++) {
      inFlight.done(quiet, BIG);
    }
    assertEquals(0, inFlight.count());
    assertEquals(0, inFlight.bytes());
    assertNull(inFlight.take(new InFlight.Share(), BIG));
  }

  /** Answers one of {@code share}'s big relays; false when it has none. */
  private boolean release(InFlight.Share share) {
    if (inFlight.shareCount(share) == 0) {
      return false;
    }
    inFlight.done(share, BIG);
    return true;
  }
}
