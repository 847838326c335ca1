package org.signalbox.web;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import java.util.EnumSet;
import java.util.Set;
import org.signalbox.config.Settings;
import org.signalbox.config.Transport;
import org.signalbox.transport.SignalingConfigurator;
import org.signalbox.transport.SignalingEndpoint;

/**
 * Registers Signalbox's socket, filter and servlets at a {@link Mount}, the same way in the
 * standalone WAR and in a portal's WAR, so that neither descriptor repeats the paths.
 *
 * <p>The socket is added to the container's {@link ServerContainer} rather than found through a
 * {@code ServerApplicationConfig}: a portal's own annotated endpoints are deployed only when some
 * {@code ServerApplicationConfig} returns them once any exists, so a config in a library jar
 * decides for the portal's sockets too; and a scanned config cannot read the context parameter
 * that moves the base.
 */
final class Routes {

  private Routes() {}

  /**
   * Registers everything at {@code mount}. Throws, failing the deployment, when the web
   * application already maps one of the paths to something else or has no WebSocket container.
   */
  static void install(ServletContext context, Mount mount, Settings settings) {
    servlet(context, "signalbox-health", HealthServlet.class, mount.health());
    servlet(context, "signalbox-metrics", MetricsServlet.class, mount.metrics());
    servlet(context, "signalbox-admin", AdminServlet.class, mount.admin());
    if (settings.serves(Transport.HTTP)) {
      // Polls wait in AsyncContexts, holding no container thread.
      servlet(context, "signalbox-http", HttpBindingServlet.class, mount.http())
          .setAsyncSupported(true);
    }
    if (settings.serves(Transport.WEBSOCKET)) {
      socket(context, mount);
    }
  }

  private static void socket(ServletContext context, Mount mount) {
    // Before the container's own WebSocket filter and the application's filters (isMatchAfter
    // false): it only refuses, with a clear status, handshakes the upgrade would refuse anyway.
    FilterRegistration.Dynamic refused =
        context.addFilter("signalbox-refused-upgrade", RefusedUpgradeFilter.class);
    if (refused == null) {
      throw alreadyDeclared("a filter", "signalbox-refused-upgrade");
    }
    refused.setAsyncSupported(true);
    refused.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, mount.socket());
    if (!(context.getAttribute(ServerContainer.class.getName()) instanceof ServerContainer sockets)) {
      throw new IllegalStateException("the container gives this web application no WebSocket"
          + " container (attribute " + ServerContainer.class.getName() + "): Signalbox needs"
          + " Jakarta WebSocket 2.1");
    }
    try {
      sockets.addEndpoint(SignalingEndpoint.config(mount.socket(), new SignalingConfigurator()));
    } catch (DeploymentException e) {
      throw new IllegalStateException("cannot serve the Signalbox socket at " + mount.socket()
          + " (is the path taken? move Signalbox with " + Mount.PARAMETER + ")", e);
    }
  }

  private static ServletRegistration.Dynamic servlet(
      ServletContext context, String name, Class<? extends Servlet> type, String pattern) {
    ServletRegistration.Dynamic servlet = context.addServlet(name, type);
    if (servlet == null) {
      throw alreadyDeclared("a servlet", name);
    }
    Set<String> taken = servlet.addMapping(pattern);
    if (!taken.isEmpty()) {
      throw new IllegalStateException("the web application already maps " + taken
          + " to another servlet: move Signalbox with the context parameter " + Mount.PARAMETER);
    }
    return servlet;
  }

  private static IllegalStateException alreadyDeclared(String what, String name) {
    return new IllegalStateException("the web application already declares " + what + " named "
        + name + ": Signalbox registers its own; declare only its listeners (see README)");
  }
}
