package org.signalbox.web;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import org.signalbox.Signalbox;
import org.signalbox.config.SettingSource;
import org.signalbox.config.Settings;
import org.signalbox.config.SettingsLoader;

/**
 * Starts the node with the web application and stops it on undeploy, closing every socket with
 * 1001 so clients reconnect and resume. A setting that does not parse throws here, which fails
 * the deployment with the setting's name in the message.
 */
public final class SignalboxLifecycle implements ServletContextListener {

  private Signalbox node;

  @Override
  public void contextInitialized(ServletContextEvent event) {
    ServletContext context = event.getServletContext();
    Settings settings = SettingsLoader.load(SettingSource.standard(context::getInitParameter));
    node = Signalbox.start(settings);
  }

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    if (node != null) {
      node.stop();
      node = null;
    }
  }
}
