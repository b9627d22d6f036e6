package io.linkwatch.ingest.parse;

import io.linkwatch.avro.AgentEvent;
import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.ProvisioningEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A {@link ParseOutput} that keeps everything, for assertions. */
final class Collected implements ParseOutput {

  record Keyed<T>(String key, T value) {}

  final List<Keyed<ConnectionEvent>> connections = new ArrayList<>();
  final List<Keyed<ProvisioningEvent>> provisioning = new ArrayList<>();
  final List<Keyed<AgentEvent>> agent = new ArrayList<>();
  final List<Keyed<DeadLetter>> deadLetters = new ArrayList<>();

  @Override
  public void connection(String key, ConnectionEvent event) {
    connections.add(new Keyed<>(key, event));
  }

  @Override
  public void provisioning(String key, ProvisioningEvent event) {
    provisioning.add(new Keyed<>(key, event));
  }

  @Override
  public void agent(String key, AgentEvent event) {
    agent.add(new Keyed<>(key, event));
  }

  @Override
  public void deadLetter(String key, DeadLetter deadLetter) {
    deadLetters.add(new Keyed<>(key, deadLetter));
  }

  int total() {
    return connections.size() + provisioning.size() + agent.size() + deadLetters.size();
  }

  ConnectionEvent connection(int i) {
    return connections.get(i).value();
  }

  ProvisioningEvent provisioning(int i) {
    return provisioning.get(i).value();
  }

  DeadLetter deadLetter(int i) {
    return deadLetters.get(i).value();
  }

  static String raw(DeadLetter d) {
    byte[] b = new byte[d.getRaw().remaining()];
    d.getRaw().duplicate().get(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
