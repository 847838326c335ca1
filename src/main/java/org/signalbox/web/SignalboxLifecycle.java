package org.signalbox.web;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import org.signalbox.Signalbox;
import org.signalbox.config.SettingSource;
import org.signalbox.config.Settings;
import org.signalbox.config.Transport;
import org.signalbox.config.SettingsLoader;

/**
 * Starts the node with the web application and stops it on undeploy, closing every socket with
 * 1001 so clients reconnect and resume. Registers the socket and the servlets at the web
 * application's {@link Mount} first. A setting that does not parse, or a path that is taken,
 * throws here, which fails the deployment with the setting's name or the path in the message.
 *
 * <p>Also stops the node when the JVM is asked to exit (SIGTERM): Payara Micro stops its network
 * listeners on exit without undeploying first, so without this hook its clients saw 1006 instead
 * of 1001. The hook is removed on undeploy, so it never outlives the application.
 */
public final class SignalboxLifecycle implements ServletContextListener {

  private static final System.Logger LOG = System.getLogger(SignalboxLifecycle.class.getName());

  private Signalbox node;
  private Thread shutdownHook;

  @Override
  public void contextInitialized(ServletContextEvent event) {
    ServletContext context = event.getServletContext();
    Settings settings = SettingsLoader.load(SettingSource.standard(context::getInitParameter));
    Mount mount = Mount.of(context);
    Routes.install(context, mount, settings);
    LOG.log(System.Logger.Level.INFO, "Signalbox serves {0} at {1}{2}",
        Transport.list(settings.transports()), context.getContextPath(), mount.socket());
    synchronized (this) {
      node = Signalbox.start(settings);
      Nodes.put(context, node);
      shutdownHook = new Thread(this::stopNode, "signalbox-shutdown");
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
  }

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    Thread hook;
    synchronized (this) {
      hook = shutdownHook;
      shutdownHook = null;
    }
    if (hook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException exiting) {
        // The JVM is exiting and the hook runs (or ran) anyway; stopNode is idempotent.
      }
    }
    Nodes.remove(event.getServletContext());
    stopNode();
  }

  private synchronized void stopNode() {
    if (node != null) {
      node.stop();
      node = null;
    }
  }
}
