package io.linkwatch.sink.delivery;

import io.linkwatch.avro.Alert;
import java.util.List;

/**
 * The alerts that fire now, read from the whole alerts topic (the dashboard's board). A receiver
 * that must be reminded of firing alerts (Alertmanager) starts from this after a restart, since its
 * own consumer resumes from its last commit and has not seen alerts that fired before.
 */
public interface FiringSource {

  FiringSource NONE =
      new FiringSource() {
        @Override
        public boolean ready() {
          return true;
        }

        @Override
        public List<Alert> firing() {
          return List.of();
        }
      };

  /** Whether the source has read the topic up to where it was when the sink started. */
  boolean ready();

  /** The latest transition of every alert whose condition is fired. */
  List<Alert> firing();
}
