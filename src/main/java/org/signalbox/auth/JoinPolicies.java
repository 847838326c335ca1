package org.signalbox.auth;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.signalbox.spi.JoinPolicy;
import org.signalbox.spi.JoinPolicy.Decision;
import org.signalbox.spi.JoinPolicy.JoinRequest;

/**
 * The portal's {@link JoinPolicy}s, found with {@link ServiceLoader} on the web application's
 * class path, asked in turn for every fresh join (PORTAL.md). The first answer other than an
 * unchanged allow decides. A policy that throws, or answers after {@link #TIMEOUT_MS}, is a
 * denial, and is logged.
 *
 * <p>The joining connection waits for the answer, but the policy itself runs on a node thread:
 * only so can a policy that hangs be given up after 2 s and the connection go on. The policy's
 * thread is interrupted then.
 */
public final class JoinPolicies {

  private static final System.Logger LOG = System.getLogger(JoinPolicies.class.getName());

  /** PORTAL.md: a policy that takes longer is a denial. */
  static final long TIMEOUT_MS = 2_000;

  private final List<JoinPolicy> policies;
  private final ExecutorService executor;

  public JoinPolicies(List<JoinPolicy> policies, ExecutorService executor) {
    this.policies = List.copyOf(policies);
    this.executor = executor;
  }

  /** The policies of the class path of {@code loader}, run on {@code executor}. */
  public static JoinPolicies load(ClassLoader loader, ExecutorService executor) {
    List<JoinPolicy> found =
        ServiceLoader.load(JoinPolicy.class, loader).stream().map(ServiceLoader.Provider::get)
            .toList();
    if (!found.isEmpty()) {
      LOG.log(Level.INFO, () -> "join policies: "
          + found.stream().map(p -> p.getClass().getName()).toList());
    }
    return new JoinPolicies(found, executor);
  }

  public boolean isEmpty() {
    return policies.isEmpty();
  }

  /** What the policies decide for {@code request}: allow, rename, or deny. */
  public Decision decide(JoinRequest request) {
    JoinRequest current = request;
    Decision result = Decision.allow();
    for (JoinPolicy policy : policies) {
      Decision decision = ask(policy, current);
      if (decision instanceof Decision.Deny) {
        return decision;
      }
      if (decision instanceof Decision.Rename rename) {
        result = rename;
        current = new JoinRequest(current.room(), rename.name(), current.identity(),
            current.claims(), current.clientAddress(), current.transport());
      }
    }
    return result;
  }

  private Decision ask(JoinPolicy policy, JoinRequest request) {
    Future<Decision> answer;
    try {
      answer = executor.submit(() -> policy.decide(request));
    } catch (RejectedExecutionException stopping) {
      return Decision.deny("the server is stopping");
    }
    String name = policy.getClass().getName();
    try {
      Decision decision = answer.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
      if (decision == null) {
        LOG.log(Level.WARNING, () -> "join policy " + name + " answered null: a denial");
        return Decision.deny("refused by the join policy");
      }
      return decision;
    } catch (TimeoutException e) {
      answer.cancel(true);
      LOG.log(Level.WARNING, () -> "join policy " + name + " took over " + TIMEOUT_MS
          + " ms for room '" + request.room() + "': a denial");
      return Decision.deny("the join policy did not answer in time");
    } catch (ExecutionException e) {
      LOG.log(Level.WARNING, "join policy " + name + " failed for room '" + request.room()
          + "': a denial", e.getCause());
      return Decision.deny("the join policy failed");
    } catch (InterruptedException e) {
      answer.cancel(true);
      Thread.currentThread().interrupt();
      return Decision.deny("interrupted");
    }
  }
}
