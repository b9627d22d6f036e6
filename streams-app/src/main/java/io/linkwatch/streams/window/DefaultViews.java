package io.linkwatch.streams.window;

import io.linkwatch.avro.Aggregation;
import io.linkwatch.streams.config.StreamsSettings;
import io.linkwatch.streams.signal.SignalCatalog;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The default aggregates: for each signal, the dimension sets an operator or an analytics job asks
 * about first (per hub, per device, per DPS instance and enrollment, per machine and cause). Each
 * becomes a view whose closed windows go to the aggregates topic. High-cardinality splits (per
 * device) exist only for the signals where "which devices" is the question.
 */
final class DefaultViews {

  private static final Map<String, List<List<String>>> DIMENSIONS = new LinkedHashMap<>();

  static {
    put(SignalCatalog.IOTHUB_CONNECTS, List.of("hub", "protocol"));
    put(SignalCatalog.IOTHUB_DISCONNECTS, List.of("hub", "resultCode"), List.of("hub", "deviceId"));
    put(SignalCatalog.IOTHUB_SECONDARY_DISCONNECTS, List.of("hub", "resultCode"));
    put(SignalCatalog.IOTHUB_ERRORS, List.of("hub", "category", "resultCode"));
    put(SignalCatalog.IOTHUB_SERVER_ERRORS, List.of("hub", "resultCode"));
    put(SignalCatalog.IOTHUB_THROTTLING, List.of("hub", "category", "operationName", "resultCode"));
    put(SignalCatalog.IOTHUB_TOKEN_RENEWALS, List.of("hub"));
    put(SignalCatalog.IOTHUB_AUTH_FAILURES, List.of("hub"), List.of("hub", "deviceId"));
    put(SignalCatalog.IOTHUB_OUTAGES, List.of("hub"));
    put(
        SignalCatalog.DPS_ATTESTATION_ATTEMPTS,
        List.of("dpsInstance", "enrollment", "attestationMechanism", "result"));
    put(
        SignalCatalog.DPS_ATTESTATION_FAILURES,
        List.of("dpsInstance", "enrollment", "attestationMechanism", "httpStatus"),
        List.of("dpsInstance", "callerIp"),
        List.of("dpsInstance", "registrationId"));
    put(SignalCatalog.DPS_REGISTRATION_ATTEMPTS, List.of("dpsInstance", "hub", "result"));
    put(SignalCatalog.DPS_ASSIGNMENTS, List.of("dpsInstance", "hub"));
    put(SignalCatalog.DPS_THROTTLING, List.of("dpsInstance", "category", "operationName"));
    put(SignalCatalog.DPS_SERVICE_ERRORS, List.of("dpsInstance", "operationName", "httpStatus"));
    put(SignalCatalog.DPS_REPROVISIONS, List.of("dpsInstance", "fromHub", "toHub"));
    put(SignalCatalog.DPS_ASSIGNMENT_FLAPS, List.of("dpsInstance"));
    put(SignalCatalog.DEVICES_SEEN, List.of("source", "scope", "sdkFamily"));
    put(SignalCatalog.DEVICES_LEGACY_SDK, List.of("source", "scope", "sdkFamily"));
    put(SignalCatalog.ARC_CONNECTION_FAILURES, List.of("cause"), List.of("machine", "cause"));
  }

  private DefaultViews() {}

  @SafeVarargs
  private static void put(String signal, List<String>... dims) {
    DIMENSIONS.put(signal, List.of(dims));
  }

  /** The default views for the configured window size and advance. */
  static List<View> all(StreamsSettings s) {
    List<View> views = new ArrayList<>();
    DIMENSIONS.forEach(
        (signal, sets) -> {
          for (int i = 0; i < sets.size(); i++) {
            views.add(
                new View(
                    "@" + signal + "#" + i,
                    View.Kind.AGGREGATE,
                    signal,
                    null,
                    Map.of(),
                    sets.get(i),
                    Aggregation.COUNT,
                    s.windowSizeMs(),
                    s.windowAdvanceMs(),
                    s.graceMs(),
                    0,
                    Integer.MAX_VALUE,
                    0));
          }
        });
    return views;
  }

  /** The dimension sets of the default aggregates of each signal (for docs and queries). */
  static Map<String, List<List<String>>> dimensions() {
    return DIMENSIONS;
  }
}
