package dev.tandem.models.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Builds a tokenizer.json shaped exactly like Llama 2 / CodeLlama's: a SentencePiece-style BPE with
 * byte fallback ({@code <0x00>..<0xFF>}), the normalizer that turns spaces into "▁" and prepends one,
 * and the decoder that undoes it. The vocabulary is {@code <unk> <s> </s>}, the 256 byte tokens, the
 * CodeLlama infill tokens, "▁" and printable ASCII, then merged pieces: first those a real BPE
 * training finds in a small built-in English and code corpus, then synthetic ones until the vocabulary
 * has the requested size. Every merge joins two pieces of the vocabulary into a third, so the file is
 * consistent at any size. Depends only on the vocabulary size.
 */
final class LlamaTokenizerJson {
    static final int UNK_ID = 0;
    static final int BOS_ID = 1;
    static final int EOS_ID = 2;
    static final List<String> INFILL_TOKENS = List.of("▁<PRE>", "▁<SUF>", "▁<MID>", "▁<EOT>");
    /** CodeLlama's end of an infill, which ends a generation as end-of-sequence does (after the specials and bytes). */
    static final int EOT_ID = 3 + 256 + INFILL_TOKENS.indexOf("▁<EOT>");
    static final String SPACE = "▁";
    /** Specials, bytes, infill tokens, ▁ and the 94 printable ASCII characters. */
    static final int MIN_VOCAB = 3 + 256 + INFILL_TOKENS.size() + 1 + 94;

    private static final String CORPUS = """
            The quick brown fox jumps over the lazy dog. A language model reads text as tokens and predicts the
            next token from the ones before it. The server answers requests from many users at the same time,
            and the scheduler decides which sequences run in each step. When the local model is busy, the
            router sends the request to a remote service instead. Please write a function that returns the sum
            of the numbers in a list, and explain how it works. Here is the answer: the function loops over the
            list and adds each number to the total, then returns the total. This is a simple example of code
            that you can test. What is the capital of France? The capital of France is Paris. Thank you for
            your question, I hope this helps. There are many ways to solve this problem; the best one depends on
            the size of the input and the memory that is available.
            public static void main(String[] args) { System.out.println("Hello, world!"); }
            public final class Checkpoint implements AutoCloseable { private final Path directory; }
            for (int i = 0; i < n; i++) { sum += values[i]; } return sum;
            if (value == null) { throw new IllegalArgumentException("value must not be null"); }
            import java.util.List; import java.util.Map; import java.util.ArrayList;
            def fibonacci(n): if n < 2: return n return fibonacci(n - 1) + fibonacci(n - 2)
            def main(): print("hello world") for item in items: if item is not None: result.append(item)
            class Tokenizer: def __init__(self, path): self.path = path def encode(self, text): return []
            const express = require('express'); function handler(request, response) { return response; }
            SELECT name, count(*) FROM users WHERE id = 1 GROUP BY name ORDER BY name;
            """;

    private LlamaTokenizerJson() {}

    /** The tokenizer.json document for a vocabulary of {@code vocabSize} entries. */
    static ObjectNode build(int vocabSize) {
        if (vocabSize < MIN_VOCAB) {
            throw new IllegalArgumentException("vocabSize must be >= " + MIN_VOCAB);
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        vocab.put("<unk>", UNK_ID);
        vocab.put("<s>", BOS_ID);
        vocab.put("</s>", EOS_ID);
        for (int b = 0; b < 256; b++) {
            vocab.put(String.format("<0x%02X>", b), vocab.size());
        }
        INFILL_TOKENS.forEach(t -> vocab.put(t, vocab.size()));
        vocab.put(SPACE, vocab.size());
        for (char c = 0x21; c <= 0x7e; c++) {
            vocab.put(String.valueOf(c), vocab.size());
        }
        List<String[]> merges = new ArrayList<>();
        trainOnCorpus(vocab, merges, vocabSize);
        fillSynthetic(vocab, merges, vocabSize);
        return document(vocab, merges);
    }

    /** Classic BPE training: merge the most frequent adjacent pair until pairs repeat no more. */
    private static void trainOnCorpus(Map<String, Integer> vocab, List<String[]> merges, int vocabSize) {
        Map<List<String>, Integer> words = new HashMap<>();
        for (String w : CORPUS.split("\\s+")) {
            if (!w.isEmpty()) {
                List<String> symbols = new ArrayList<>();
                symbols.add(SPACE);
                w.codePoints().forEach(cp -> symbols.add(new String(Character.toChars(cp))));
                words.merge(symbols, 1, Integer::sum);
            }
        }
        while (vocab.size() < vocabSize) {
            Map<String, Integer> pairCounts = new HashMap<>();
            for (Map.Entry<List<String>, Integer> e : words.entrySet()) {
                List<String> s = e.getKey();
                for (int i = 0; i + 1 < s.size(); i++) {
                    pairCounts.merge(s.get(i) + "\u0000" + s.get(i + 1), e.getValue(), Integer::sum);
                }
            }
            String best = null;
            int bestCount = 1;
            for (Map.Entry<String, Integer> e : pairCounts.entrySet()) {
                if (e.getValue() > bestCount || (e.getValue() == bestCount && best != null && e.getKey().compareTo(best) < 0)) {
                    best = e.getKey();
                    bestCount = e.getValue();
                }
            }
            if (best == null) {
                return;
            }
            String[] pair = best.split("\u0000");
            String merged = pair[0] + pair[1];
            merges.add(pair);
            vocab.putIfAbsent(merged, vocab.size());
            Map<List<String>, Integer> next = new HashMap<>();
            words.forEach((s, count) -> next.merge(applyMerge(s, pair[0], pair[1]), count, Integer::sum));
            words = next;
        }
    }

    private static List<String> applyMerge(List<String> symbols, String a, String b) {
        List<String> out = new ArrayList<>(symbols.size());
        for (int i = 0; i < symbols.size(); i++) {
            if (i + 1 < symbols.size() && symbols.get(i).equals(a) && symbols.get(i + 1).equals(b)) {
                out.add(a + b);
                i++;
            } else {
                out.add(symbols.get(i));
            }
        }
        return out;
    }

    /** Word-like pieces ("▁" only at the start) built from existing ones, so every merge stays consistent. */
    private static void fillSynthetic(Map<String, Integer> vocab, List<String[]> merges, int vocabSize) {
        List<String> pieces = new ArrayList<>();
        for (String p : vocab.keySet()) {
            if (vocab.get(p) > UNK_ID + 2 + 256 + INFILL_TOKENS.size()) {
                pieces.add(p);
            }
        }
        List<String> letters = new ArrayList<>();
        for (char c = 'a'; c <= 'z'; c++) {
            letters.add(String.valueOf(c));
        }
        SplittableRandom random = new SplittableRandom(0x11a3a);
        while (vocab.size() < vocabSize) {
            String a = pieces.get(random.nextInt(pieces.size()));
            String b = random.nextInt(4) == 0 ? pieces.get(random.nextInt(pieces.size())) : letters.get(random.nextInt(26));
            String merged = a + b;
            if (b.startsWith(SPACE) || merged.length() > 12 || vocab.containsKey(merged)) {
                continue;
            }
            merges.add(new String[] {a, b});
            vocab.put(merged, vocab.size());
            pieces.add(merged);
        }
    }

    private static ObjectNode document(Map<String, Integer> vocab, List<String[]> merges) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        addedToken(added, UNK_ID, "<unk>");
        addedToken(added, BOS_ID, "<s>");
        addedToken(added, EOS_ID, "</s>");
        INFILL_TOKENS.forEach(t -> addedToken(added, vocab.get(t), t));

        ObjectNode normalizer = root.putObject("normalizer");
        normalizer.put("type", "Sequence");
        ArrayNode normalizers = normalizer.putArray("normalizers");
        normalizers.addObject().put("type", "Prepend").put("prepend", SPACE);
        replace(normalizers.addObject(), " ", SPACE);
        root.putNull("pre_tokenizer");

        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 1);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode bos = post.putObject("special_tokens").putObject("<s>");
        bos.put("id", "<s>");
        bos.putArray("ids").add(BOS_ID);
        bos.putArray("tokens").add("<s>");

        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "Sequence");
        ArrayNode decoders = decoder.putArray("decoders");
        replace(decoders.addObject(), SPACE, " ");
        decoders.addObject().put("type", "ByteFallback");
        decoders.addObject().put("type", "Fuse");
        decoders.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);

        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.put("unk_token", "<unk>");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", true);
        model.put("byte_fallback", true);
        model.put("ignore_merges", false);
        ObjectNode vocabNode = model.putObject("vocab");
        vocab.forEach(vocabNode::put);
        ArrayNode mergeNode = model.putArray("merges");
        merges.forEach(m -> mergeNode.add(m[0] + " " + m[1]));
        return root;
    }

    private static void addedToken(ArrayNode added, int id, String content) {
        ObjectNode t = added.addObject();
        t.put("id", id);
        t.put("content", content);
        t.put("single_word", false);
        t.put("lstrip", false);
        t.put("rstrip", false);
        t.put("normalized", false);
        t.put("special", true);
    }

    private static void replace(ObjectNode node, String from, String to) {
        node.put("type", "Replace");
        node.set("pattern", JsonNodeFactory.instance.objectNode().put("String", from));
        node.put("content", to);
    }
}
