package io.linkwatch.streams.rules;

import io.linkwatch.avro.AlertRule;

/**
 * A rule as read from a file, with where it came from (for messages).
 *
 * @param rule the rule, with version 0 (the topic assigns versions)
 * @param file the file it was read from
 * @param line the line its definition starts on
 */
public record LoadedRule(AlertRule rule, String file, int line) {}
