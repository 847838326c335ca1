package org.signalbox.config;

/**
 * A setting whose value cannot be used. Thrown at start-up so that the deployment fails and the
 * message names the setting in all three of its spellings.
 */
public final class InvalidSettingException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String setting;

  public InvalidSettingException(String setting, String problem) {
    super(
        "Invalid setting "
            + SettingSource.propertyName(setting)
            + " (env "
            + SettingSource.envName(setting)
            + "): "
            + problem);
    this.setting = setting;
  }

  /** The setting's short name, for example {@code maxRoomSize}. */
  public String setting() {
    return setting;
  }
}
