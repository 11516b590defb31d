/**
 * The OpenAI dialect edge: Chat Completions, the legacy Completions with vLLM's extensions, and vLLM's
 * tokenize/detokenize. Wire records (which mirror OpenAI's JSON field for field and so have no
 * builders), their checks, and the stream frames.
 *
 * <p>May import: {@code api}, {@code core}.
 */
package dev.tandem.server.api.openai;
