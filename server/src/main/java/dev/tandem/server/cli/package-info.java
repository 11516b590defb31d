/**
 * The operator's command line ({@code tandem keys ...}, {@code tandem usage}), part of the assembly:
 * works on the database file without starting the server.
 *
 * <p>May import: {@code config}, {@code core}, the operational packages it drives.
 */
package dev.tandem.server.cli;
