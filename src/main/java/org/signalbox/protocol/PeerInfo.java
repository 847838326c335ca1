package org.signalbox.protocol;

/** A room member as other peers see it: {@code {"peerId","name"}}. */
public record PeerInfo(String peerId, String name) {}
