/**
 * The configuration, part of the assembly: one YAML file merged over {@code tandem-defaults.yaml} (the
 * one place every default is written), with {@code ${ENV}} substitution, bound to one record per
 * section (each section's record lives with the package that reads it).
 *
 * <p>May import: every layer below the assembly (for their section records); only the assembly and
 * the CLI import it.
 */
package dev.tandem.server.config;
