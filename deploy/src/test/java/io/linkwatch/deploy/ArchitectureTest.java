package io.linkwatch.deploy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * DESIGN.md: ingest, streams-app and alert-sink never depend on one another; they meet only in
 * topics and in schemas ({@code io.linkwatch.schemas..}, {@code io.linkwatch.avro..}). Checked
 * here, where every module is on the classpath.
 */
@AnalyzeClasses(packages = "io.linkwatch", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule rolesMeetOnlyInTopicsAndSchemas =
      slices()
          .matching("io.linkwatch.(ingest|streams|sink)..")
          .namingSlices("$1")
          .should()
          .notDependOnEachOther()
          .because("each role is its own deployable; they meet only in topics and in schemas")
          .allowEmptyShould(true);

  @ArchTest
  static final ArchRule schemasDependOnNoRole =
      noClasses()
          .that()
          .resideInAnyPackage("io.linkwatch.schemas..", "io.linkwatch.avro..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.linkwatch.ingest..",
              "io.linkwatch.streams..",
              "io.linkwatch.sink..",
              "io.linkwatch.deploy..")
          .because("schemas is the shared contract every role depends on");

  @ArchTest
  static final ArchRule rolesDoNotDependOnDeploy =
      noClasses()
          .that()
          .resideInAnyPackage(
              "io.linkwatch.ingest..", "io.linkwatch.streams..", "io.linkwatch.sink..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.linkwatch.deploy..")
          .because("deploy assembles the roles; a role that needs it would pull in all the others")
          .allowEmptyShould(true);
}
