package org.signalbox.transport;

import java.security.Principal;

/**
 * The display name of a container-authenticated user (auth=container): the principal's name,
 * made to fit the display-name rules of PROTOCOL.md (no control characters, at most 64 chars),
 * since a directory may hold longer names (an X.500 name, say) than a room shows.
 */
final class ContainerUser {

  private static final int MAX_CODE_POINTS = 64;

  private ContainerUser() {}

  static String displayName(Principal user) {
    String name = user == null ? "" : user.getName();
    StringBuilder shown = new StringBuilder();
    name.strip().codePoints()
        .filter(c -> !Character.isISOControl(c))
        .limit(MAX_CODE_POINTS)
        .forEach(shown::appendCodePoint);
    String result = shown.toString().strip();
    return result.isEmpty() ? "anonymous" : result;
  }
}
