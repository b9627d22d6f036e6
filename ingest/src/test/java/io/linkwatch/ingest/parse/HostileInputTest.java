package io.linkwatch.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.DeadLetterReason;
import io.linkwatch.avro.SourceKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/**
 * Throws malformed, truncated, huge and hostile input at the parsers: they never throw, and every
 * record of the input ends up either as an event or inside a dead letter's raw bytes.
 */
class HostileInputTest {

  private static final String HUB =
      "/SUBSCRIPTIONS/0/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/HUB-";

  private static final String STRUCTURE = "[\\[\\],\\s]";

  private final AzureLogParser azure = new AzureLogParser(64 * 1024, 64 * 1024, () -> 0L);
  private final AgentLogParser agent = new AgentLogParser(64 * 1024, 64 * 1024, () -> 0L);

  @Property(tries = 300)
  void azureParserNeverThrowsAndAnswersEveryNonBlankInput(@ForAll byte[] input) {
    Collected out = new Collected();

    azure.parsePayload(input, 0, input.length, Origin.line(SourceKind.FILE, "fuzz", 1), out);

    if (!new String(input, StandardCharsets.ISO_8859_1).isBlank()) {
      assertThat(out.total()).isPositive();
    }
  }

  @Property(tries = 300)
  void azureParserNeverThrowsOnHostileText(@ForAll("hostileText") String text) {
    byte[] input = text.getBytes(StandardCharsets.UTF_8);
    Collected out = new Collected();

    azure.parsePayload(input, 0, input.length, Origin.kafka("raw", 0, 42), out);

    assertThat(out.deadLetters)
        .allSatisfy(d -> assertThat(d.value().getReason()).isNotBlank())
        .allSatisfy(d -> assertThat(d.value().getProvenance().getPosition()).isEqualTo(42L));
  }

  @Property(tries = 300)
  void everyRecordOfACorruptedPt1hBlobIsAnEventOrInADeadLetter(@ForAll("blobs") List<Line> lines) {
    String blob = lines.stream().map(Line::text).collect(Collectors.joining("\n"));
    byte[] input = blob.getBytes(StandardCharsets.UTF_8);
    Collected out = new Collected();

    azure.parsePayload(input, 0, input.length, Origin.line(SourceKind.FILE, "PT1H.json", 1), out);

    Set<String> devices =
        out.connections.stream().map(k -> k.value().getDeviceId()).collect(Collectors.toSet());
    // a broken line may be cut into several dead letters (a value, then the rest of its line):
    // their raw bytes, in order, still hold all of it, but for the brackets and commas of a root
    // array, which belong to no record
    String deadRaw =
        out.deadLetters.stream()
            .map(k -> Collected.raw(k.value()))
            .collect(Collectors.joining())
            .replaceAll(STRUCTURE, "");
    // every line is covered by the position of an event or by the lines of a dead letter
    Set<Long> covered = new java.util.HashSet<>();
    out.connections.forEach(k -> covered.add(k.value().getProvenance().getPosition()));
    for (var d : out.deadLetters) {
      long from = d.value().getProvenance().getPosition();
      long newlines = Collected.raw(d.value()).chars().filter(c -> c == '\n').count();
      for (long l = from; l <= from + newlines; l++) {
        covered.add(l);
      }
    }
    for (int i = 0; i < lines.size(); i++) {
      Line line = lines.get(i);
      if (line.intact()) {
        assertThat(
                devices.contains(line.device())
                    || deadRaw.contains(line.text().replaceAll(STRUCTURE, "")))
            .as("intact record %s is produced or dead-lettered", line.device())
            .isTrue();
      }
      if (!line.text().replaceAll(STRUCTURE, "").isEmpty()) {
        assertThat(covered)
            .as("line %d '%s' is accounted for", i + 1, line.text())
            .contains(i + 1L);
      }
    }
    List<String> produced = new ArrayList<>();
    out.connections.forEach(k -> produced.add(k.value().getDeviceId()));
    assertThat(produced).doesNotHaveDuplicates();
  }

  @Property(tries = 100)
  void aCorruptedEnvelopeIsOneDeadLetterWithAllItsBytes(
      @ForAll @Size(min = 1, max = 5) List<@StringLength(min = 1, max = 8) String> devices,
      @ForAll("cuts") int cut) {
    String envelope =
        "{\"records\":["
            + devices.stream().map(d -> record(d, 0)).collect(Collectors.joining(","))
            + "]}";
    String broken = envelope.substring(0, Math.max(1, envelope.length() * cut / 100));
    byte[] input = broken.getBytes(StandardCharsets.UTF_8);
    Collected out = new Collected();

    azure.parseUnit(input, 0, input.length, Origin.kafka("insights-logs-connections", 0, 7), out);

    assertThat(out.connections).isEmpty();
    assertThat(out.deadLetters).hasSize(1);
    DeadLetter d = out.deadLetter(0);
    assertThat(d.getReasonCode()).isEqualTo(DeadLetterReason.MALFORMED_JSON);
    assertThat(Collected.raw(d)).isEqualTo(broken);
  }

  @Property(tries = 50)
  void deeplyNestedInputIsDeadLetteredNotAStackOverflow(@ForAll("depths") int depth) {
    String nested = "[".repeat(depth) + "]".repeat(depth);
    String inProperties =
        "{\"time\":\"2024-05-01T10:00:00Z\",\"resourceId\":\""
            + HUB
            + "1\",\"category\":\"Routes\",\"operationName\":\"x\",\"properties\":"
            + "{\"a\":".repeat(depth)
            + "1"
            + "}".repeat(depth)
            + "}";
    for (String s : List.of(nested, inProperties)) {
      byte[] input = s.getBytes(StandardCharsets.UTF_8);
      Collected out = new Collected();

      azure.parsePayload(input, 0, input.length, Origin.of(SourceKind.HTTP, "POST"), out);

      assertThat(out.total()).isEqualTo(1);
    }
  }

  @Property(tries = 300)
  void agentParserAnswersEveryNonBlankLineExactlyOnce(@ForAll("agentLines") List<String> lines) {
    byte[] input = String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
    Collected out = new Collected();

    agent.parseLines(
        input,
        0,
        input.length,
        "m1",
        "azcmagent.log",
        Origin.line(SourceKind.AGENT_LOG, "a", 1),
        out);

    long nonBlank =
        java.util.Arrays.stream(String.join("\n", lines).split("\n", -1))
            .filter(l -> !l.replaceAll("[\r ]+$", "").isEmpty())
            .count();
    assertThat(out.total()).isEqualTo(nonBlank);
  }

  // ---- generators

  record Line(String device, String text, boolean intact) {}

  static String record(String device, int variant) {
    String escaped = device.replace("\\", "\\\\\\\\").replace("\"", "\\\\\\\"");
    return "{\"time\":\"2024-05-01T10:00:0"
        + (variant % 10)
        + "Z\",\"resourceId\":\""
        + HUB
        + (variant % 3)
        + "\",\"operationName\":\"deviceConnect\",\"category\":\"Connections\",\"level\":\"Information\","
        + "\"properties\":\"{\\\"deviceId\\\":\\\""
        + escaped
        + "\\\",\\\"protocol\\\":\\\"Mqtt\\\"}\"}";
  }

  @Provide
  Arbitrary<List<Line>> blobs() {
    Arbitrary<Line> line =
        Combinators.combine(
                Arbitraries.integers().between(0, 1_000_000),
                Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(0, 200),
                Arbitraries.strings().withChars("{}[]\",:\\ x\u0000\u00e9").ofMaxLength(6))
            .as(
                (id, corruption, at, junk) -> {
                  String device = "dev-" + id;
                  String text = record(device, id);
                  return switch (corruption) {
                    case 0 ->
                        new Line(device, text.substring(0, Math.min(at, text.length())), false);
                    case 1 -> new Line(device, junk, false);
                    case 2 -> {
                      int p = Math.min(at, text.length() - 1);
                      yield new Line(
                          device, text.substring(0, p) + junk + text.substring(p), false);
                    }
                    default -> new Line(device, text, true);
                  };
                });
    return line.list().ofMaxSize(12).uniqueElements(Line::device);
  }

  @Provide
  Arbitrary<String> hostileText() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(200),
        Arbitraries.strings().withChars("{}[]\":,\\u0123456789eE+-.tfnrul \n").ofMaxLength(300),
        Arbitraries.of(
            "{\"records\":\"not an array\"}",
            "{\"records\":[1,2,\"x\",null,[]]}",
            "{\"time\":12,\"resourceId\":{},\"category\":[],\"properties\":42}",
            "{\"time\":\"2024-05-01T10:00:00Z\",\"resourceId\":\""
                + HUB
                + "X\",\"category\":\"Connections\",\"operationName\":\"deviceConnect\",\"properties\":\"\\u0000\"}",
            "{\"a\":1" + "9".repeat(5000) + "}",
            "{\"s\":\"\\uZZZZ\"}",
            "\uFEFF{\"records\":[]}",
            "[]",
            "null",
            "{\"time\":\"2024-02-30T00:00:00Z\",\"resourceId\":\""
                + HUB
                + "X\",\"category\":\"Routes\",\"operationName\":\"x\"}"));
  }

  @Provide
  Arbitrary<Integer> cuts() {
    return Arbitraries.integers().between(1, 99);
  }

  @Provide
  Arbitrary<Integer> depths() {
    return Arbitraries.integers().between(65, 20_000);
  }

  @Provide
  Arbitrary<List<String>> agentLines() {
    Arbitrary<String> good =
        Arbitraries.strings()
            .withChars("abc =\"\\:/.-")
            .ofMaxLength(40)
            .map(s -> "time=\"2022-09-30T10:04:09Z\" level=error msg=\"" + s + "\" " + s);
    return Arbitraries.oneOf(good, Arbitraries.strings().all().ofMaxLength(80))
        .list()
        .ofMaxSize(10);
  }
}
