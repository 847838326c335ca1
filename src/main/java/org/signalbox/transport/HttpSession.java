package org.signalbox.transport;

import jakarta.json.JsonException;
import jakarta.json.stream.JsonParser;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.signalbox.protocol.Utf8;

/**
 * One session of the HTTP binding (PROTOCOL.md): a {@link Connection} like any other, whose
 * frames arrive in the bodies of {@code POST}s and leave in the answers to polls.
 */
public final class HttpSession {

  /** How a {@code POST} of frames went: the status it answers with. */
  public enum Posted {
    /** 204: every frame was handled (answers come in polls). */
    HANDLED,
    /** 400: the body is not a JSON array of objects; nothing was handled. */
    MALFORMED,
    /** 413: a frame over {@code maxMessageBytes} ended the session, as a 1009 close would. */
    TOO_BIG
  }

  /** A waiting poll. Its answer is written once, by whoever takes it off the session. */
  public interface Poll {
    /** Writes 200 with {@code body}, a {@code {"frames":[…],"seq":M}} object. */
    void answer(String body);

    /** Writes 404 unknown-session: the session ended while the poll waited. */
    void gone();
  }

  private final String id;
  private final HttpWire wire;
  private final Connection connection;
  private final int maxMessageBytes;
  /** Takes the session out of the node's sessions. */
  private final Runnable forget;

  HttpSession(String id, HttpWire wire, Connection connection, int maxMessageBytes,
      Runnable forget) {
    this.id = id;
    this.wire = wire;
    this.connection = connection;
    this.maxMessageBytes = maxMessageBytes;
    this.forget = forget;
  }

  public String id() {
    return id;
  }

  /** The container's user who opened the session, or null. */
  public String userName() {
    return wire.user() == null ? null : wire.user().getName();
  }

  /**
   * Handles the frames of one {@code POST} body in order, each exactly as one WebSocket text
   * frame. Bodies of one session are handled one at a time, as a socket's frames are.
   */
  public synchronized Posted post(String body) {
    List<String> frames = frames(body);
    if (frames == null) {
      return Posted.MALFORMED;
    }
    for (String frame : frames) {
      boolean tooBig = Utf8.length(frame) > maxMessageBytes;
      connection.onText(frame);
      if (tooBig) {
        return Posted.TOO_BIG;
      }
    }
    return Posted.HANDLED;
  }

  /** A body too big to read: the session ends as after 1009. */
  public synchronized void tooBig() {
    connection.onTooBig();
  }

  /**
   * A poll that has received every frame up to {@code ack}.
   *
   * @return false when the session has ended (answer 404)
   */
  public boolean poll(long ack, Poll poll) {
    return wire.poll(ack, poll);
  }

  /** The client's close ({@code DELETE}): the room gets {@code peer-left} {@code left}. */
  public void delete() {
    forget.run();
    connection.onClose(Connection.NORMAL);
  }

  /**
   * The elements of a JSON array of objects, each as its own text in the body (so that it is
   * measured and handled exactly as the client wrote it); null when the body is anything else.
   */
  static List<String> frames(String body) {
    List<String> frames = new ArrayList<>();
    try (JsonParser parser = HttpSessions.JSON.createParser(new StringReader(body))) {
      if (!parser.hasNext() || parser.next() != JsonParser.Event.START_ARRAY) {
        return null;
      }
      while (true) {
        JsonParser.Event event = parser.next();
        if (event == JsonParser.Event.END_ARRAY) {
          break;
        }
        if (event != JsonParser.Event.START_OBJECT) {
          return null;
        }
        // The parser stands just past the '{' and, once the object is skipped, just past its '}'.
        int from = (int) parser.getLocation().getStreamOffset() - 1;
        parser.skipObject();
        int to = (int) parser.getLocation().getStreamOffset();
        frames.add(body.substring(from, to));
      }
      if (parser.hasNext()) {
        return null; // something after the array
      }
    } catch (JsonException | IllegalStateException | java.util.NoSuchElementException e) {
      return null;
    }
    return frames;
  }
}
