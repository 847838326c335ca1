package org.signalbox.config;

import java.util.Locale;

/** Who may use the admin API (PORTAL.md): nobody, a container role, or an admin token. */
public enum AdminAuth {
  /** The admin API answers 404 on every path. */
  OFF,
  /** The container authenticates; the user needs the role {@code signalbox-admin}. */
  CONTAINER,
  /** {@code Authorization: Bearer} an HS256 token signed with {@code adminSecret}. */
  TOKEN;

  /** The configuration spelling: {@code off}, {@code container}, {@code token}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
