package io.linkwatch.sink.routing;

import io.linkwatch.sink.alert.Matcher;
import java.util.List;
import java.util.Map;

/**
 * One route: alerts whose labels satisfy every matcher go to every receiver listed.
 *
 * @param name a name for logs and the dashboard ({@code routes[i]} when the file gives none)
 * @param matchers label matchers (all must hold; none matches everything)
 * @param receivers receiver names
 * @param grouping how notifications to these receivers are batched
 * @param continueMatching whether the routes after this one are tried too when this one matches
 */
public record Route(
    String name,
    List<Matcher> matchers,
    List<String> receivers,
    Grouping grouping,
    boolean continueMatching) {

  public Route {
    matchers = List.copyOf(matchers);
    receivers = List.copyOf(receivers);
  }

  public boolean matches(Map<String, String> labels) {
    return Matcher.all(matchers, labels);
  }
}
