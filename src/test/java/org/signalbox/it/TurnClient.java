package org.signalbox.it;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Just enough of a TURN client (RFC 5766, RFC 6062's TCP allocation, RFC 6156's IPv6 relay) to ask
 * a real coturn for an allocation and for permissions, and to read its answer codes. Long-term
 * credentials: the first request is answered 401 with a realm and a nonce, every later one is
 * signed with MESSAGE-INTEGRITY. A permission is only a request to coturn: no packet goes to the
 * peer address it names.
 */
final class TurnClient implements AutoCloseable {

  /** The relay's transport (REQUESTED-TRANSPORT) and address family. */
  enum Relay {
    UDP_IPV4(17, 1), UDP_IPV6(17, 2), TCP_IPV4(6, 1);

    final int protocol;
    final int family;

    Relay(int protocol, int family) {
      this.protocol = protocol;
      this.family = family;
    }
  }

  /** An answer: 200 for a success response, else the ERROR-CODE and its reason. */
  record Answer(int code, String reason) {}

  private static final int MAGIC_COOKIE = 0x2112A442;
  private static final int ALLOCATE = 0x003;
  private static final int CREATE_PERMISSION = 0x008;
  private static final int USERNAME = 0x0006;
  private static final int MESSAGE_INTEGRITY = 0x0008;
  private static final int ERROR_CODE = 0x0009;
  private static final int REALM = 0x0014;
  private static final int NONCE = 0x0015;
  private static final int XOR_PEER_ADDRESS = 0x0012;
  private static final int REQUESTED_ADDRESS_FAMILY = 0x0017;
  private static final int REQUESTED_TRANSPORT = 0x0019;
  private static final int TIMEOUT_MS = 2_000;
  private static final int UDP_TRIES = 3;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String username;
  private final String password;
  private final DatagramSocket udp;
  private final Socket tcp;
  private String realm;
  private String nonce;

  private TurnClient(String username, String password, DatagramSocket udp, Socket tcp) {
    this.username = username;
    this.password = password;
    this.udp = udp;
    this.tcp = tcp;
  }

  /** A client talking to {@code server} over UDP ({@code tcp} false) or TCP. */
  static TurnClient connect(InetSocketAddress server, boolean tcp, String username,
      String password) throws IOException {
    if (tcp) {
      Socket socket = new Socket();
      try {
        socket.connect(server, TIMEOUT_MS);
        socket.setSoTimeout(TIMEOUT_MS);
      } catch (IOException e) {
        socket.close();
        throw e;
      }
      return new TurnClient(username, password, null, socket);
    }
    DatagramSocket socket = new DatagramSocket(new InetSocketAddress(server.getAddress(), 0));
    socket.connect(server);
    socket.setSoTimeout(TIMEOUT_MS);
    return new TurnClient(username, password, socket, null);
  }

  /** Allocates a relay: first unsigned (to learn the realm and nonce), then signed. */
  Answer allocate(Relay relay) throws IOException {
    byte[] transport = {(byte) relay.protocol, 0, 0, 0};
    byte[] family = {(byte) relay.family, 0, 0, 0};
    Message first = new Message(ALLOCATE).attribute(REQUESTED_TRANSPORT, transport);
    if (relay.family != 1) {
      first.attribute(REQUESTED_ADDRESS_FAMILY, family);
    }
    Response challenge = exchange(first.bytes(null));
    if (challenge.code != 401 || challenge.realm == null || challenge.nonce == null) {
      throw new IllegalStateException("expected 401 with a realm and a nonce, got " + challenge);
    }
    realm = challenge.realm;
    nonce = challenge.nonce;
    Message signed = new Message(ALLOCATE).attribute(REQUESTED_TRANSPORT, transport);
    if (relay.family != 1) {
      signed.attribute(REQUESTED_ADDRESS_FAMILY, family);
    }
    return exchange(sign(signed)).answer();
  }

  /** Asks for a permission to {@code peer}: coturn answers; nothing is sent to the peer. */
  Answer createPermission(InetAddress peer) throws IOException {
    if (realm == null) {
      throw new IllegalStateException("allocate first");
    }
    Message message = new Message(CREATE_PERMISSION);
    message.attribute(XOR_PEER_ADDRESS, xorAddress(peer, message.transactionId));
    return exchange(sign(message)).answer();
  }

  private byte[] sign(Message message) {
    message.attribute(USERNAME, utf8(username))
        .attribute(REALM, utf8(realm))
        .attribute(NONCE, utf8(nonce));
    return message.bytes(md5(username + ":" + realm + ":" + password));
  }

  private Response exchange(byte[] request) throws IOException {
    byte[] transactionId = Arrays.copyOfRange(request, 8, 20);
    if (tcp != null) {
      tcp.getOutputStream().write(request);
      tcp.getOutputStream().flush();
      DataInputStream in = new DataInputStream(tcp.getInputStream());
      while (true) {
        byte[] header = in.readNBytes(20);
        if (header.length < 20) {
          throw new IOException("coturn closed the connection");
        }
        byte[] message = Arrays.copyOf(header, 20 + ByteBuffer.wrap(header, 2, 2).getShort());
        in.readFully(message, 20, message.length - 20);
        Response response = Response.parse(message);
        if (Arrays.equals(response.transactionId, transactionId)) {
          return response;
        }
      }
    }
    // UDP may drop a datagram even on loopback under load: retransmit the same request.
    byte[] buffer = new byte[2048];
    for (int attempt = 1; ; attempt++) {
      udp.send(new DatagramPacket(request, request.length));
      try {
        while (true) {
          DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
          udp.receive(packet);
          Response response =
              Response.parse(Arrays.copyOf(packet.getData(), packet.getLength()));
          if (Arrays.equals(response.transactionId, transactionId)) {
            return response;
          }
        }
      } catch (SocketTimeoutException e) {
        if (attempt == UDP_TRIES) {
          throw e;
        }
      }
    }
  }

  /** XOR-PEER-ADDRESS: the port and address XORed with the cookie (and, IPv6, the id). */
  private static byte[] xorAddress(InetAddress peer, byte[] transactionId) {
    byte[] address = peer.getAddress();
    byte[] mask = ByteBuffer.allocate(16).putInt(MAGIC_COOKIE).put(transactionId).array();
    ByteBuffer value = ByteBuffer.allocate(4 + address.length);
    value.put((byte) 0).put((byte) (peer instanceof Inet4Address ? 1 : 2));
    value.putShort((short) (9 ^ (MAGIC_COOKIE >>> 16))); // any port: a permission is per address
    for (int i = 0; i < address.length; i++) {
      value.put((byte) (address[i] ^ mask[i]));
    }
    return value.array();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] md5(String s) {
    try {
      return MessageDigest.getInstance("MD5").digest(utf8(s));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws IOException {
    if (tcp != null) {
      tcp.close();
    } else {
      udp.close();
    }
  }

  /** A request being built: attributes in order, MESSAGE-INTEGRITY last when signed. */
  private static final class Message {
    final int type;
    final byte[] transactionId = new byte[12];
    final ByteArrayOutputStream attributes = new ByteArrayOutputStream();

    Message(int method) {
      this.type = method; // a request: both class bits zero
      RANDOM.nextBytes(transactionId);
    }

    Message attribute(int attributeType, byte[] value) {
      int padded = (value.length + 3) & ~3;
      ByteBuffer b = ByteBuffer.allocate(4 + padded);
      b.putShort((short) attributeType).putShort((short) value.length).put(value);
      attributes.writeBytes(b.array());
      return this;
    }

    byte[] bytes(byte[] key) {
      byte[] body = attributes.toByteArray();
      int length = body.length + (key == null ? 0 : 24);
      ByteBuffer message = ByteBuffer.allocate(20 + length);
      message.putShort((short) type).putShort((short) length).putInt(MAGIC_COOKIE)
          .put(transactionId).put(body);
      if (key != null) {
        // The HMAC covers everything before the attribute, with the length already counting it.
        byte[] signedPart = Arrays.copyOf(message.array(), 20 + body.length);
        try {
          Mac mac = Mac.getInstance("HmacSHA1");
          mac.init(new SecretKeySpec(key, "HmacSHA1"));
          message.putShort((short) MESSAGE_INTEGRITY).putShort((short) 20)
              .put(mac.doFinal(signedPart));
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException(e);
        }
      }
      return message.array();
    }
  }

  /** A response: its class, error code, and the realm and nonce of a challenge. */
  private record Response(byte[] transactionId, int code, String reason, String realm,
      String nonce) {

    static Response parse(byte[] message) {
      ByteBuffer b = ByteBuffer.wrap(message);
      int type = b.getShort() & 0xFFFF;
      int length = b.getShort() & 0xFFFF;
      if (b.getInt() != MAGIC_COOKIE) {
        throw new IllegalStateException("not a STUN message");
      }
      byte[] transactionId = new byte[12];
      b.get(transactionId);
      boolean error = (type & 0x0110) == 0x0110;
      if (!error && (type & 0x0110) != 0x0100) {
        throw new IllegalStateException("not a response: type " + Integer.toHexString(type));
      }
      int code = error ? 0 : 200;
      String reason = "";
      String realm = null;
      String nonce = null;
      int end = 20 + length;
      while (b.position() + 4 <= end) {
        int attributeType = b.getShort() & 0xFFFF;
        int attributeLength = b.getShort() & 0xFFFF;
        byte[] value = new byte[attributeLength];
        b.get(value);
        b.position(b.position() + ((4 - attributeLength % 4) % 4));
        switch (attributeType) {
          case ERROR_CODE -> {
            code = (value[2] & 0x7) * 100 + (value[3] & 0xFF);
            reason = new String(value, 4, value.length - 4, StandardCharsets.UTF_8);
          }
          case REALM -> realm = new String(value, StandardCharsets.UTF_8);
          case NONCE -> nonce = new String(value, StandardCharsets.UTF_8);
          default -> { }
        }
      }
      return new Response(transactionId, code, reason, realm, nonce);
    }

    Answer answer() {
      return new Answer(code, reason);
    }

    @Override
    public String toString() {
      return code + " " + reason;
    }
  }
}
