package io.linkwatch.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonUnitsTest {

  private static List<String> units(String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    JsonUnits u = new JsonUnits();
    u.restart(1);
    u.reset(b, 0, b.length, true);
    List<String> out = new ArrayList<>();
    while (u.next() == JsonUnits.Result.UNIT) {
      out.add(
          u.unitLine()
              + ":"
              + new String(b, u.unitStart(), u.unitEnd() - u.unitStart(), StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  void shouldSplitLinesConcatenatedObjectsAndPrettyPrintedEnvelopes() {
    assertThat(units("{\"a\":1}\n{\"b\":2}\r\n\n{\"c\":\n  [1,\n   2]}\n{\"d\":4}{\"e\":5}"))
        .containsExactly(
            "1:{\"a\":1}", "2:{\"b\":2}", "4:{\"c\":\n  [1,\n   2]}", "7:{\"d\":4}", "7:{\"e\":5}");
  }

  @Test
  void shouldKeepATruncatedLineFromSwallowingTheNextOne() {
    assertThat(units("{\"a\":\"tru\n{\"b\":2}\n{\"c\":{\"x\"\n{\"d\":4}"))
        .containsExactly("1:{\"a\":\"tru", "2:{\"b\":2}", "3:{\"c\":{\"x\"", "4:{\"d\":4}");
  }

  @Test
  void shouldMakeEachElementOfARootArrayAUnit() {
    assertThat(units("[\n  {\"a\":1},\n  {\"b\":[2]}\n]\n"))
        .containsExactly("2:{\"a\":1}", "3:{\"b\":[2]}");
  }

  @Test
  void shouldMakeGarbageAUnitUpToTheEndOfItsLine() {
    assertThat(units("\uFEFFhello world\n{\"a\":1} trailing\n"))
        .containsExactly("1:hello world", "2:{\"a\":1}", "2:trailing");
  }

  @Test
  void shouldAskForMoreInputWhenARegionEndsInsideAUnit() {
    byte[] b = "{\"a\":1}\n{\"b\":".getBytes(StandardCharsets.UTF_8);
    JsonUnits u = new JsonUnits();
    u.restart(1);
    u.reset(b, 0, b.length, false);

    assertThat(u.next()).isEqualTo(JsonUnits.Result.UNIT);
    assertThat(u.next()).isEqualTo(JsonUnits.Result.NEED_MORE);
    assertThat(u.unitStart()).isEqualTo(8);

    byte[] more = "{\"b\":2}\n".getBytes(StandardCharsets.UTF_8);
    u.rewind();
    u.reset(more, 0, more.length, true);
    assertThat(u.next()).isEqualTo(JsonUnits.Result.UNIT);
    assertThat(u.unitLine()).isEqualTo(2);
    assertThat(u.next()).isEqualTo(JsonUnits.Result.END);
    assertThat(u.line()).isEqualTo(3);
  }
}
