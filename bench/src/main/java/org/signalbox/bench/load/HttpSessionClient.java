package org.signalbox.bench.load;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * One session of PROTOCOL.md's HTTP binding, held as the browser client holds it (docs/client.md,
 * "Transport"): opened with a {@code POST}, one poll always outstanding with {@code ack} the last
 * {@code seq} received, and one {@code POST} of frames at a time, whatever was sent while one was
 * under way going in the next, as one JSON array of at most {@code maxMessageBytes}. The poll and
 * the {@code POST}s each keep their own keep-alive connection, as a browser's would, and every
 * request carries the headers Chrome sends with a same-origin {@code fetch} (no cookies), so the
 * server parses what it would parse for a browser. {@link #close} is the client's {@code leave}:
 * what is queued is posted, then {@code DELETE}.
 */
final class HttpSessionClient implements Line {

  /**
   * What the HTTP lines of one scenario asked for while they relayed, for the cost per delivered
   * message: POSTs of frames, the frames they carried, polls, and TCP connections opened.
   */
  static final class Counts {
    long posts;
    long framesPosted;
    long polls;
    /** In element 0, where each HttpConnection counts. */
    final long[] connects = new long[1];

    Counts copy() {
      Counts c = new Counts();
      c.posts = posts;
      c.framesPosted = framesPosted;
      c.polls = polls;
      c.connects[0] = connects[0];
      return c;
    }
  }

  private enum State { OPENING, OPEN, LEAVING, CLOSED }

  private static final byte[] SESSION = Frames.ascii("\"session\":\"");
  private static final byte[] FRAMES = Frames.ascii("\"frames\":[");
  private static final byte[] SEQ = Frames.ascii("\"seq\":");
  private static final byte[] CLOSED = Frames.ascii("{\"type\":\"closed\"");
  private static final byte[] CODE = Frames.ascii("\"code\":");
  private static final byte[] MAX_MESSAGE_BYTES = Frames.ascii("\"maxMessageBytes\":");
  /** PROTOCOL.md's default, until {@code welcome} says otherwise. */
  private static final int DEFAULT_MAX_MESSAGE_BYTES = 65_536;
  /**
   * The headers Chrome sends with a same-origin {@code fetch} from a Linux desktop (no cookies),
   * but Host, Origin and those of the body, which vary.
   */
  private static final String BROWSER_HEADERS = "Connection: keep-alive\r\n"
      + "sec-ch-ua: \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"\r\n"
      + "sec-ch-ua-mobile: ?0\r\n"
      + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
      + "Chrome/131.0.0.0 Safari/537.36\r\n"
      + "sec-ch-ua-platform: \"Linux\"\r\n"
      + "Accept: */*\r\n"
      + "Sec-Fetch-Site: same-origin\r\n"
      + "Sec-Fetch-Mode: cors\r\n"
      + "Sec-Fetch-Dest: empty\r\n"
      + "Accept-Encoding: gzip, deflate, br, zstd\r\n"
      + "Accept-Language: en-US,en;q=0.9\r\n";

  private final Line.Listener listener;
  private final Object attachment;
  private final Counts counts;
  private final String authority;
  private final String base;
  /** The open, the POSTs of frames and the DELETE, one at a time. */
  private final HttpConnection sends;
  private final HttpConnection polls;
  private State state = State.OPENING;
  private int maxBody = DEFAULT_MAX_MESSAGE_BYTES;
  /** The last frame sequence number received: the next poll's {@code ack}. */
  private long ack;
  /** The session's own path, {@code <base>/S}. */
  private String path;

  /** Frames not yet posted, each followed by a comma, and where each ends. */
  private byte[] queue = new byte[8192];
  private int queued;
  private int[] ends = new int[16];
  private int queuedFrames;

  /** The request under way on {@link #sends} (kept until answered) and the next poll's. */
  private byte[] postRequest = new byte[8192];
  private byte[] pollRequest;
  private byte[] postHead;
  private byte[] pollHead;
  private byte[] pollTail;

  private HttpSessionClient(EventLoop loop, InetSocketAddress server, InetAddress local,
      String base, Line.Listener listener, Object attachment, Counts counts) {
    this.listener = listener;
    this.attachment = attachment;
    this.counts = counts;
    this.authority = server.getHostString() + ":" + server.getPort();
    this.base = base;
    this.sends = new HttpConnection(loop, server, local, counts.connects,
        why -> abort(1006, "open, POST or DELETE failed: " + why));
    this.polls = new HttpConnection(loop, server, local, counts.connects, why -> {
      if (state != State.LEAVING) {
        abort(1006, "poll failed: " + why);
      }
    });
  }

  /**
   * Opens a session at {@code base} (the binding's path, {@code /signal/http}); the listener hears
   * {@code opened} and the open answer's frames, or {@code closed}.
   */
  static HttpSessionClient open(EventLoop loop, InetSocketAddress server, InetAddress local,
      String base, Line.Listener listener, Object attachment, Counts counts) {
    HttpSessionClient client =
        new HttpSessionClient(loop, server, local, base, listener, attachment, counts);
    byte[] open = Frames.ascii("POST " + base + " HTTP/1.1\r\nHost: " + client.authority + "\r\n"
        + BROWSER_HEADERS + "Origin: http://" + client.authority + "\r\nContent-Length: 0\r\n\r\n");
    client.sends.send(open, open.length, client::opened);
    return client;
  }

  @Override
  public Object attachment() {
    return attachment;
  }

  @Override
  public boolean isOpen() {
    return state == State.OPEN;
  }

  @Override
  public void sendText(byte[] payload) {
    sendPrepared(payload);
  }

  /** The frame is the payload itself: it is copied into the next body when sent. */
  @Override
  public byte[] prepare(byte[] payload) {
    return payload;
  }

  @Override
  public void sendPrepared(byte[] frame) {
    if (state != State.OPEN) {
      return;
    }

    if (queued + frame.length + 1 > queue.length) {
      queue = Arrays.copyOf(queue, Math.max(2 * queue.length, queued + frame.length + 1));
    }
    System.arraycopy(frame, 0, queue, queued, frame.length);
    queued += frame.length;
    queue[queued++] = ',';
    if (queuedFrames == ends.length) {
      ends = Arrays.copyOf(ends, 2 * ends.length);
    }
    ends[queuedFrames++] = queued;
    if (!sends.busy()) {
      post();
    }
  }

  @Override
  public void close() {
    if (state == State.OPEN) {
      state = State.LEAVING;
      if (!sends.busy()) {
        post();
      }
    } else if (state == State.OPENING) {
      abort(1006, "closed before open");
    }
  }

  @Override
  public void abort(int code, String reason) {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    sends.close();
    polls.close();
    listener.closed(this, code, reason);
  }

  /** Posts the frames queued, as many as fit one body; or, leaving with none, deletes. */
  private void post() {
    if (queuedFrames == 0) {
      if (state == State.LEAVING) {
        byte[] delete = Frames.ascii("DELETE " + path + " HTTP/1.1\r\nHost: "
            + authority + "\r\n" + BROWSER_HEADERS + "Origin: http://" + authority + "\r\n\r\n");
        sends.send(delete, delete.length, this::deleted);
      }
      return;
    }
    int frames = 1;
    while (frames < queuedFrames && ends[frames] + 1 <= maxBody) {
      frames++;
    }
    int bodyLength = ends[frames - 1] + 1; // '[' + frames and commas, the last comma made ']'
    byte[] length = Frames.ascii(Integer.toString(bodyLength));
    int requestLength = postHead.length + length.length + 4 + bodyLength;
    if (requestLength > postRequest.length) {
      postRequest = new byte[Math.max(requestLength, 2 * postRequest.length)];
    }
    int at = put(postRequest, 0, postHead);
    at = put(postRequest, at, length);
    at = put(postRequest, at, Frames.ascii("\r\n\r\n"));
    postRequest[at++] = '[';
    System.arraycopy(queue, 0, postRequest, at, bodyLength - 1);
    at += bodyLength - 1;
    postRequest[at - 1] = ']';
    int taken = ends[frames - 1];
    System.arraycopy(queue, taken, queue, 0, queued - taken);
    queued -= taken;
    for (int i = frames; i < queuedFrames; i++) {
      ends[i - frames] = ends[i] - taken;
    }
    queuedFrames -= frames;
    counts.posts++;
    counts.framesPosted += frames;
    sends.send(postRequest, at, this::posted);
  }

  private void poll() {
    byte[] digits = Frames.ascii(Long.toString(ack));
    int length = pollHead.length + digits.length + pollTail.length;
    if (pollRequest == null || pollRequest.length < length) {
      pollRequest = new byte[length + 16];
    }
    int at = put(pollRequest, 0, pollHead);
    at = put(pollRequest, at, digits);
    at = put(pollRequest, at, pollTail);
    counts.polls++;
    polls.send(pollRequest, at, this::polled);
  }

  private static int put(byte[] to, int at, byte[] what) {
    System.arraycopy(what, 0, to, at, what.length);
    return at + what.length;
  }

  /**
   * Hands each frame of the {@code "frames":[…]} array to the listener; a {@code closed} frame
   * ends the line with its code.
   *
   * @return the index just past the array, or -1 when the line ended or the body has no array
   */
  private int frames(byte[] a, int offset, int length) {
    int at = WsClient.indexOf(a, offset, offset + length, FRAMES);
    if (at < 0) {
      return -1;
    }
    int[] next = {at + FRAMES.length};
    int[] frame = new int[2];
    while (Frames.nextObject(a, next, offset + length, frame)) {
      int from = frame[0];
      int to = frame[1];
      if (Frames.startsWith(a, from, to - from, CLOSED)) {
        abort((int) Frames.number(a, from, to - from, CODE), "closed frame: " + Frames.text(a, from, to - from));
        return -1;
      }
      ack++;
      listener.text(this, a, from, to - from);
      if (state == State.CLOSED) {
        return -1;
      }
    }
    return next[0];
  }

  /** The open answer: the session, and its first frames ({@code welcome}, numbered from 1). */
  private void opened(int status, byte[] a, int offset, int length) {
    String session = status == 200 ? Frames.string(a, offset, length, SESSION, offset) : null;
    if (session == null) {
      abort(1006, "open answered " + status + ": " + Frames.text(a, offset, length));
      return;
    }
    path = base + "/" + session;
    long max = Frames.number(a, offset, length, MAX_MESSAGE_BYTES);
    if (max > 0) {
      maxBody = (int) max;
    }
    postHead = Frames.ascii("POST " + path + " HTTP/1.1\r\nHost: " + authority + "\r\n"
        + BROWSER_HEADERS + "Origin: http://" + authority + "\r\n"
        + "Content-Type: application/json\r\nContent-Length: ");
    // Browsers send no Origin on a same-origin GET.
    pollHead = Frames.ascii("GET " + path + "?ack=");
    pollTail = Frames.ascii(" HTTP/1.1\r\nHost: " + authority + "\r\n" + BROWSER_HEADERS + "\r\n");
    state = State.OPEN;
    listener.opened(this);
    // Welcome, whose handling posts the join at once.
    if (frames(a, offset, length) < 0) {
      if (state != State.CLOSED) {
        abort(1006, "open answer without frames");
      }
      return;
    }
    poll();
  }

  private void posted(int status, byte[] a, int offset, int length) {
    if (status != 204) {
      abort(1006, "POST of frames answered " + status + ": " + Frames.text(a, offset, length));
    } else if (state == State.OPEN || state == State.LEAVING) {
      post();
    }
  }

  private void polled(int status, byte[] a, int offset, int length) {
    if (state == State.LEAVING) {
      return; // the DELETE under way ends the session; this poll is the last
    }
    if (status != 200) {
      abort(1006, "poll answered " + status + ": " + Frames.text(a, offset, length));
      return;
    }
    long before = ack;
    int after = frames(a, offset, length);
    if (after < 0) {
      if (state != State.CLOSED) {
        abort(1006, "poll answer without frames: " + Frames.text(a, offset, length));
      }
      return;
    }
    long seq = Frames.number(a, after, offset + length - after, SEQ);
    if (seq != ack) {
      abort(1006, "poll answer after ack " + before + " says seq " + seq + " but held "
          + (ack - before) + " frames");
      return;
    }
    if (state == State.OPEN) {
      poll();
    }
  }

  /** The client's close is done: the poll still waiting is dropped, as the browser aborts it. */
  private void deleted(int status, byte[] a, int offset, int length) {
    abort(status == 204 ? 1000 : 1006, "DELETE answered " + status);
  }
}
