package org.signalbox.cluster;

import jakarta.json.JsonValue;
import java.util.List;
import org.signalbox.protocol.ProtocolException;
import org.signalbox.room.Delivery;
import org.signalbox.room.Peer;

/** Deliveries within one node: straight into the sender's room. */
public final class LocalDeliveries implements Deliveries {

  @Override
  public Delivery toPeer(Peer sender, String to, String frame, JsonValue ref)
      throws ProtocolException {
    return sender.room().relay(sender, to, frame, ref);
  }

  @Override
  public List<String> toRoom(Peer sender, String frame) {
    return sender.room().broadcast(sender, frame);
  }
}
