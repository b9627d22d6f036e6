package io.linkwatch.streams.rules;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads rule files: one YAML file, or every {@code *.yaml}/{@code *.yml} file of a folder (sorted
 * by name, not recursive). A file holds {@code rules: [...]}, a list of rules, or a single rule.
 * Every problem of every file is collected and reported at once, with file, line, rule and field.
 */
public final class RuleLoader {

  /** Where the default rule pack lives on the classpath; {@code index} lists its files. */
  public static final String DEFAULT_PACK = "rules/default/";

  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

  private RuleLoader() {}

  /**
   * Loads a file or a folder of rule files.
   *
   * @throws RuleValidationException with every problem found
   * @throws IOException when a file cannot be read
   */
  public static RuleSet load(Path path) throws RuleValidationException, IOException {
    if (!Files.exists(path)) {
      throw new RuleValidationException(
          List.of(new RuleProblem(path.toString(), 0, null, null, "no such file or folder")));
    }
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(path)) {
      try (Stream<Path> entries = Files.list(path)) {
        entries
            .filter(Files::isRegularFile)
            .filter(
                p -> {
                  String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                  return n.endsWith(".yaml") || n.endsWith(".yml");
                })
            .sorted()
            .forEach(files::add);
      }
      if (files.isEmpty()) {
        throw new RuleValidationException(
            List.of(
                new RuleProblem(
                    path.toString(), 0, null, null, "the folder has no *.yaml or *.yml file")));
      }
    } else {
      files.add(path);
    }
    Map<String, String> contents = new java.util.LinkedHashMap<>();
    for (Path file : files) {
      contents.put(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
    }
    return parse(contents);
  }

  /** The default rule pack shipped in the jar (what {@code linkwatch demo} applies). */
  public static RuleSet loadDefaultPack() throws RuleValidationException {
    Map<String, String> contents = new java.util.LinkedHashMap<>();
    for (String name : readResourceLines(DEFAULT_PACK + "index")) {
      contents.put(DEFAULT_PACK + name, readResource(DEFAULT_PACK + name));
    }
    return parse(contents);
  }

  /**
   * Parses rule files given as text.
   *
   * @param contents file name to YAML text, in the order to read them
   */
  public static RuleSet parse(Map<String, String> contents) throws RuleValidationException {
    List<RuleProblem> problems = new ArrayList<>();
    List<LoadedRule> rules = new ArrayList<>();
    contents.forEach((file, text) -> parseFile(file, text, rules, problems));
    if (problems.isEmpty()) {
      RuleSetChecks.check(rules, problems);
    }
    if (!problems.isEmpty()) {
      throw new RuleValidationException(problems);
    }
    return new RuleSet(rules, List.copyOf(contents.keySet()));
  }

  private static void parseFile(
      String file, String text, List<LoadedRule> rules, List<RuleProblem> problems) {
    JsonNode root;
    Map<String, Integer> lines;
    try {
      root = YAML.readTree(text);
      lines = lines(text);
    } catch (JsonProcessingException e) {
      problems.add(yamlProblem(file, e));
      return;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      problems.add(new RuleProblem(file, 0, null, null, "the file is empty"));
      return;
    }
    JsonNode list;
    String base;
    if (root.isObject() && root.has("rules")) {
      list = root.get("rules");
      base = "/rules";
      root.fieldNames()
          .forEachRemaining(
              name -> {
                if (!name.equals("rules")) {
                  problems.add(
                      new RuleProblem(
                          file,
                          lines.getOrDefault("/" + name, 0),
                          null,
                          null,
                          "unknown top-level key '" + name + "' (a rule file has 'rules:' only)"));
                }
              });
    } else if (root.isArray()) {
      list = root;
      base = "";
    } else if (root.isObject()) {
      RuleBinder.bind(file, "", root, lines, problems).ifPresent(rules::add);
      return;
    } else {
      problems.add(
          new RuleProblem(
              file, 1, null, null, "expected 'rules:' with a list of rules, a list, or one rule"));
      return;
    }
    if (!list.isArray()) {
      problems.add(
          new RuleProblem(
              file, lines.getOrDefault(base, 0), null, "rules", "expected a list of rules"));
      return;
    }
    for (int i = 0; i < list.size(); i++) {
      RuleBinder.bind(file, base + "/" + i, list.get(i), lines, problems).ifPresent(rules::add);
    }
  }

  /**
   * One line for a YAML syntax error: the parser's message without its echo of the source, at the
   * line where the problem is (the parser's location is where the construct started).
   */
  private static RuleProblem yamlProblem(String file, JsonProcessingException e) {
    String original = e.getOriginalMessage();
    int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("line (\\d+), column").matcher(original);
    while (m.find()) {
      line = Integer.parseInt(m.group(1));
    }
    StringBuilder message = new StringBuilder();
    for (String part : original.split("\n")) {
      String p = part.strip();
      if (p.isEmpty() || p.startsWith("in 'reader'") || p.equals("^") || part.startsWith("    ")) {
        continue;
      }
      if (!message.isEmpty()) {
        message.append(": ");
      }
      message.append(p);
    }
    return new RuleProblem(file, line, null, null, "not valid YAML: " + message);
  }

  /** JSON pointer of every node and field of the document to its 1-based line. */
  private static Map<String, Integer> lines(String text) throws IOException {
    Map<String, Integer> lines = new HashMap<>();
    try (JsonParser parser = YAML.getFactory().createParser(text)) {
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        int line = parser.currentTokenLocation().getLineNr();
        if (token == JsonToken.FIELD_NAME) {
          String pointer = parser.getParsingContext().pathAsPointer().toString();
          lines.putIfAbsent(pointer, line);
        } else if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
          // the pointer of a container is the one of its parent's current entry
          String pointer =
              parser.getParsingContext().getParent() == null
                  ? ""
                  : parser.getParsingContext().getParent().pathAsPointer().toString();
          lines.putIfAbsent(pointer, line);
        } else {
          lines.putIfAbsent(parser.getParsingContext().pathAsPointer().toString(), line);
        }
      }
    }
    return lines;
  }

  private static List<String> readResourceLines(String name) {
    List<String> lines = new ArrayList<>();
    for (String line : readResource(name).split("\n")) {
      String l = line.strip();
      if (!l.isEmpty() && !l.startsWith("#")) {
        lines.add(l);
      }
    }
    return lines;
  }

  private static String readResource(String name) {
    try (InputStream in = RuleLoader.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      try (BufferedReader reader =
          new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        StringBuilder out = new StringBuilder();
        reader.lines().forEach(l -> out.append(l).append('\n'));
        return out.toString();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read resource " + name, e);
    }
  }
}
