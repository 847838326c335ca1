package org.signalbox.bench.load;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * join storm: every peer of many rooms connects at once; each newcomer sends an offer and its
 * candidates to every peer already in its room, which answers with an answer and its own
 * candidates. Done when every pair of every room has all its frames.
 */
final class JoinStormScenario implements Fleet.Handler {

  record Result(String server, double millis, int pairs, long frames, int errors, int dropped) {

    Result named(String name) {
      return new Result(name, millis, pairs, frames, errors, dropped);
    }
  }

  private final Dialect dialect;
  private final int rooms;
  private final int roomSize;
  private final int candidates;
  private final List<Peer> peers = new ArrayList<>();
  private long framesReceived;
  private long framesWrong;

  JoinStormScenario(Dialect dialect, int rooms, int roomSize, int candidatesPerSide, String run) {
    this.dialect = dialect;
    this.rooms = rooms;
    this.roomSize = roomSize;
    this.candidates = candidatesPerSide;
    for (int i = 0; i < rooms * roomSize; i++) {
      Peer p = new Peer(i, "storm-" + run + "-" + i / roomSize, "s" + run + "-" + i);
      p.receivedFrom = new int[roomSize];
      peers.add(p);
    }
  }

  private int pairs() {
    return rooms * roomSize * (roomSize - 1) / 2;
  }

  /** Frames each pair exchanges: an offer and an answer, and the candidates of both sides. */
  private int framesPerPair() {
    return 2 + 2 * candidates;
  }

  Result run(EventLoop loop, InetSocketAddress server) {
    Fleet fleet = new Fleet(loop, server, dialect, peers, this);
    long expected = (long) pairs() * framesPerPair();
    long start = System.nanoTime();
    fleet.connect(peers.size());
    boolean done = loop.runUntil(() -> framesReceived == expected || fleet.dropped > 0,
        TimeUnit.SECONDS.toNanos(120));
    long took = System.nanoTime() - start;
    int wrong = 0;
    for (Peer p : peers) {
      for (int j = 0; j < roomSize; j++) {
        if (j != p.index % roomSize && p.receivedFrom[j] != framesPerPair() / 2) {
          wrong++;
        }
      }
    }
    fleet.closeAll();
    if (!done || wrong > 0 || framesWrong > 0) {
      throw new IllegalStateException(dialect.name() + " join storm incomplete: " + framesReceived
          + " of " + expected + " frames, " + wrong + " pair sides short, first problem: "
          + fleet.firstProblem);
    }
    return new Result(dialect.name(), took / 1e6, pairs(), framesReceived, fleet.errors, fleet.dropped);
  }

  @Override
  public void ready(Peer newcomer) {
    int first = newcomer.index - newcomer.index % roomSize;
    List<Peer> present = new ArrayList<>();
    if (dialect instanceof Dialect.Signalbox) {
      // The server's list of who is in the room, by id.
      for (String id : newcomer.others) {
        for (int i = first; i < first + roomSize; i++) {
          if (id.equals(peers.get(i).id)) {
            present.add(peers.get(i));
          }
        }
      }
    } else {
      // PeerJS has no rooms: the application knows who is there; here, whoever is open.
      for (int i = first; i < first + roomSize; i++) {
        if (i != newcomer.index && peers.get(i).ready) {
          present.add(peers.get(i));
        }
      }
    }
    for (Peer other : present) {
      volley(newcomer, other, 'o');
    }
  }

  private void volley(Peer from, Peer to, char kind) {
    from.line.sendText(dialect.relay(to, kind, Payloads.description(from.index, 0, kind)));
    for (int c = 1; c <= candidates; c++) {
      from.line.sendText(dialect.relay(to, 'c', Payloads.candidate(from.index, c)));
    }
  }

  @Override
  public void relay(Peer receiver, byte[] a, int offset, int length) {
    int sender = (int) Frames.number(a, offset, length, Payloads.SENDER);
    int first = receiver.index - receiver.index % roomSize;
    if (sender < first || sender >= first + roomSize || sender == receiver.index) {
      framesWrong++;
      return;
    }
    framesReceived++;
    receiver.receivedFrom[sender - first]++;
    if (Frames.string(a, offset, length, Payloads.KIND, offset).equals("o")) {
      volley(receiver, peers.get(sender), 'a');
    }
  }
}
