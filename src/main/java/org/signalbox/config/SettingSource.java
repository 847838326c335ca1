package org.signalbox.config;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where a setting's raw text comes from. The standard source follows CONFIG.md: JVM system
 * property, then environment variable, then servlet context parameter; absent means default.
 */
@FunctionalInterface
public interface SettingSource {

  /** The raw value of the setting with this short name (for example {@code maxRoomSize}). */
  Optional<String> lookup(String setting);

  /** {@code signalbox.maxRoomSize}: the system property and context parameter name. */
  static String propertyName(String setting) {
    return "signalbox." + setting;
  }

  /** {@code SIGNALBOX_MAX_ROOM_SIZE}: camel case split into upper snake case. */
  static String envName(String setting) {
    return "SIGNALBOX_" + setting.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }

  /**
   * The CONFIG.md order: system property, environment, then {@code contextParameters} (a servlet
   * context's init parameters, or nothing outside a container).
   */
  static SettingSource standard(Function<String, String> contextParameters) {
    return setting ->
        Optional.ofNullable(System.getProperty(propertyName(setting)))
            .or(() -> Optional.ofNullable(System.getenv(envName(setting))))
            .or(() -> Optional.ofNullable(contextParameters.apply(propertyName(setting))));
  }

  /** A fixed map of short names to raw values: for tests and embedders. */
  static SettingSource of(Map<String, String> values) {
    return setting -> Optional.ofNullable(values.get(setting));
  }
}
