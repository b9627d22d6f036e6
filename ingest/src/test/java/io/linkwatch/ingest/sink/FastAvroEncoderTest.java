package io.linkwatch.ingest.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.AgentCause;
import io.linkwatch.avro.AgentEvent;
import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.DeadLetterReason;
import io.linkwatch.avro.DeadLetterStage;
import io.linkwatch.avro.DpsCategory;
import io.linkwatch.avro.DpsResultType;
import io.linkwatch.avro.IotHubOperation;
import io.linkwatch.avro.Level;
import io.linkwatch.avro.Provenance;
import io.linkwatch.avro.ProvisioningEvent;
import io.linkwatch.avro.SourceKind;
import io.linkwatch.schemas.serde.AvroSerdes;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The compiled encoder writes, byte for byte, what the shared single-object serde writes. */
class FastAvroEncoderTest {

  private final AvroSerdes serdes = AvroSerdes.singleObject();

  @Property(tries = 300)
  void shouldEncodeConnectionEventsExactlyAsTheSerde(@ForAll("connections") ConnectionEvent e) {
    byte[] expected = serdes.valueSerde(ConnectionEvent.class).serializer().serialize("t", e);

    byte[] actual = FastAvroEncoder.compile(ConnectionEvent.getClassSchema()).encode(e);

    assertThat(actual).isEqualTo(expected);
  }

  @Property(tries = 300)
  void shouldEncodeProvisioningEventsExactlyAsTheSerde(
      @ForAll("provisioning") ProvisioningEvent e) {
    byte[] expected = serdes.valueSerde(ProvisioningEvent.class).serializer().serialize("t", e);

    byte[] actual = FastAvroEncoder.compile(ProvisioningEvent.getClassSchema()).encode(e);

    assertThat(actual).isEqualTo(expected);
  }

  @Property(tries = 300)
  void shouldEncodeAgentEventsAndDeadLettersExactlyAsTheSerde(
      @ForAll("agents") AgentEvent a, @ForAll("text") String reason, @ForAll byte[] raw) {
    DeadLetter d =
        new DeadLetter(
            Instant.ofEpochMilli(1_714_550_400_123L),
            DeadLetterStage.INGEST,
            DeadLetterReason.values()[raw.length % DeadLetterReason.values().length],
            reason,
            raw.length % 2 == 0 ? null : reason,
            ByteBuffer.wrap(raw),
            "application/json",
            a.getProvenance(),
            null,
            raw.length % 3 == 0 ? null : raw.length);

    assertThat(FastAvroEncoder.compile(AgentEvent.getClassSchema()).encode(a))
        .isEqualTo(serdes.valueSerde(AgentEvent.class).serializer().serialize("t", a));
    assertThat(FastAvroEncoder.compile(DeadLetter.getClassSchema()).encode(d))
        .isEqualTo(serdes.valueSerde(DeadLetter.class).serializer().serialize("t", d));
  }

  // ---- generators: every optional field sometimes null, text sometimes non-ASCII

  @Provide
  Arbitrary<String> text() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ascii().ofMaxLength(40),
        Arbitraries.strings().all().ofMaxLength(20),
        Arbitraries.of("", "dev-00001", "Gerät-é-日本", "\u0000\uFFFF"));
  }

  private Arbitrary<String> maybe() {
    return text().injectNull(0.3);
  }

  private Arbitrary<Map<String, String>> maps() {
    return Arbitraries.maps(text(), text()).ofMaxSize(4).map(LinkedHashMap::new);
  }

  private Arbitrary<Provenance> provenance() {
    return Arbitraries.longs()
        .between(0, 4_000_000_000_000L)
        .flatMap(
            t ->
                maybe()
                    .map(
                        s ->
                            new Provenance(
                                SourceKind.values()[(int) (t % SourceKind.values().length)],
                                s == null ? "src" : s,
                                t % 2 == 0 ? null : (int) (t % 7),
                                t % 3 == 0 ? null : t,
                                t % 5 == 0 ? null : (int) (t % 11),
                                s,
                                Instant.ofEpochMilli(t))));
  }

  @Provide
  Arbitrary<ConnectionEvent> connections() {
    return Arbitraries.longs()
        .between(-1_000_000L, 4_000_000_000_000L)
        .flatMap(
            t ->
                net.jqwik.api.Combinators.combine(maybe(), maybe(), maybe(), maps(), provenance())
                    .as(
                        (a, b, c, extra, prov) -> {
                          ConnectionEvent e = new ConnectionEvent();
                          e.setEventId(a == null ? "id" : a);
                          e.setTime(Instant.ofEpochMilli(t));
                          e.setHub(b == null ? "hub" : b);
                          e.setDeviceId(a);
                          e.setModuleId(c);
                          e.setCategory("Connections");
                          e.setOperationName(b == null ? "deviceConnect" : b);
                          e.setOperation(IotHubOperation.values()[(int) Math.floorMod(t, 3L)]);
                          e.setResultCode(t % 2 == 0 ? null : (int) (t % 600_000));
                          e.setResultDescription(c);
                          e.setStatusCode(t % 3 == 0 ? null : (int) (t % 600));
                          e.setErrorMessage(a);
                          e.setLevel(Level.values()[(int) Math.floorMod(t, Level.values().length)]);
                          e.setProtocol(b);
                          e.setAuthScope(c);
                          e.setAuthType(a);
                          e.setAuthIssuer(b);
                          e.setAcceptingIpFilterRule(c);
                          e.setMaskedIpAddress(a);
                          e.setSdkVersion(b);
                          e.setDurationMs(t % 4 == 0 ? null : t);
                          e.setCorrelationId(c);
                          e.setLocation(a);
                          e.setResourceId(b == null ? "/r" : b);
                          e.setExtra(extra);
                          e.setProvenance(prov);
                          return e;
                        }));
  }

  @Provide
  Arbitrary<ProvisioningEvent> provisioning() {
    return Arbitraries.longs()
        .between(0, 4_000_000_000_000L)
        .flatMap(
            t ->
                net.jqwik.api.Combinators.combine(maybe(), maybe(), maps(), provenance())
                    .as(
                        (a, b, extra, prov) -> {
                          ProvisioningEvent e = new ProvisioningEvent();
                          e.setEventId("id");
                          e.setTime(Instant.ofEpochMilli(t));
                          e.setDpsInstance(a == null ? "dps" : a);
                          e.setCategory(DpsCategory.values()[(int) (t % 3)]);
                          e.setOperationName(b == null ? "AttestationAttempt" : b);
                          e.setOperationVersion(a);
                          e.setResultType(DpsResultType.values()[(int) (t % 4)]);
                          e.setResultTypeRaw(b);
                          e.setHttpStatus(t % 2 == 0 ? null : 401);
                          e.setErrorCode(t % 3 == 0 ? null : 401002);
                          e.setResultDescription(a);
                          e.setLevel(Level.values()[(int) (t % Level.values().length)]);
                          e.setDurationMs(t % 5 == 0 ? null : t % 1000);
                          e.setCallerIpAddress(b);
                          e.setCorrelationId(a);
                          e.setRegistrationId(b);
                          e.setRecordType(a);
                          e.setEnrollmentGroupId(b);
                          e.setAttestationMechanism(a);
                          e.setProtocol(b);
                          e.setAssignedHub(a);
                          e.setDeviceId(b);
                          e.setSdkVersion(a);
                          e.setApiVersion(b);
                          e.setLocation(a);
                          e.setResourceId("/r");
                          e.setExtra(extra);
                          e.setProvenance(prov);
                          return e;
                        }));
  }

  @Provide
  Arbitrary<AgentEvent> agents() {
    return net.jqwik.api.Combinators.combine(
            text(), maybe(), maps(), provenance(), Arbitraries.of(AgentCause.values()))
        .as(
            (m, x, fields, prov, cause) -> {
              AgentEvent e = new AgentEvent();
              e.setEventId("id");
              e.setTime(prov.getIngestTime());
              e.setMachine("m");
              e.setLevel(Level.ERROR);
              e.setMessage(m);
              e.setFields(fields);
              e.setCause(cause);
              e.setCauseDescription(x);
              e.setSolution(x);
              e.setEndpoint(x);
              e.setErrorCode(x);
              e.setAgentVersion(x);
              e.setProvenance(prov);
              return e;
            });
  }
}
