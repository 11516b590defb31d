package dev.tandem.server.ops.redaction;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds secrets in text and masks them as {@code [REDACTED:type]}. Thread-safe and immutable.
 */
public final class Redactor {

    /** The built-in detectors by name, in the order they run (specific before generic). */
    public static final Map<String, Detector> BUILT_IN = builtIns();

    private static final Pattern CANDIDATE = Pattern.compile("[A-Za-z0-9+/=_\\-]{16,}");

    private final List<Detector> detectors;
    private final double entropyThreshold;
    private final int entropyMinLength;
    private final boolean entropyEnabled;

    public Redactor(List<Detector> detectors, boolean entropyEnabled, double entropyThreshold, int entropyMinLength) {
        this.detectors = List.copyOf(detectors);
        this.entropyEnabled = entropyEnabled;
        this.entropyThreshold = entropyThreshold;
        this.entropyMinLength = entropyMinLength;
    }

    /** The entropy check's thresholds in {@link #safetyNet()}: the shipped defaults (a test keeps them equal). */
    public static final double SAFETY_NET_ENTROPY_THRESHOLD = 4.0;
    public static final int SAFETY_NET_ENTROPY_MIN_LENGTH = 32;

    /**
     * What masks log lines before the configuration is read (the shipped logback.xml) and where it
     * never is (the CLI): every built-in detector, and the entropy check at the shipped thresholds.
     */
    public static Redactor safetyNet() {
        return new Redactor(List.copyOf(BUILT_IN.values()), true, SAFETY_NET_ENTROPY_THRESHOLD, SAFETY_NET_ENTROPY_MIN_LENGTH);
    }

    public static Redactor fromConfig(RedactionConfig c) {
        List<Detector> list = new ArrayList<>();
        for (String name : c.detectors()) {
            if (name.equals("high_entropy")) {
                continue;
            }
            Detector d = BUILT_IN.get(name);
            if (d == null) {
                throw new IllegalArgumentException("unknown redaction detector '" + name + "'; known: "
                        + BUILT_IN.keySet() + " and high_entropy");
            }
            list.add(d);
        }
        c.custom().forEach((name, regex) -> list.add(Detector.of(name, regex)));
        return new Redactor(list, c.detectors().contains("high_entropy"), c.entropyThreshold(), c.entropyMinLength());
    }

    /** The types of secret found, in order of first detection; empty when the text is clean. */
    public Set<String> scan(String text) {
        Set<String> found = new LinkedHashSet<>();
        redact(text, found);
        return found;
    }

    public String redact(String text) {
        return redact(text, new LinkedHashSet<>());
    }

    private String redact(String text, Set<String> found) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        String lower = text.toLowerCase(Locale.ROOT);
        for (Detector d : detectors) {
            if (!d.mayMatch(lower)) {
                continue;
            }
            Matcher m = d.pattern().matcher(out);
            if (!m.find()) {
                continue;
            }
            found.add(d.type());
            StringBuilder b = new StringBuilder();
            boolean group = d.masksGroup();
            do {
                String secretGroup = group ? secretGroup(m) : null;
                if (secretGroup != null) {
                    String whole = m.group();
                    int s = m.start(secretGroup) - m.start();
                    int e = m.end(secretGroup) - m.start();
                    m.appendReplacement(b, Matcher.quoteReplacement(
                            whole.substring(0, s) + mask(d.type()) + whole.substring(e)));
                } else {
                    m.appendReplacement(b, Matcher.quoteReplacement(mask(d.type())));
                }
            } while (m.find());
            m.appendTail(b);
            out = b.toString();
            lower = out.toLowerCase(Locale.ROOT);
        }
        if (entropyEnabled) {
            out = redactHighEntropy(out, found);
        }
        return out;
    }

    private String redactHighEntropy(String text, Set<String> found) {
        Matcher m = CANDIDATE.matcher(text);
        StringBuilder b = null;
        int last = 0;
        while (m.find()) {
            String token = m.group();
            if (token.length() >= entropyMinLength && looksRandom(token)) {
                if (b == null) {
                    b = new StringBuilder();
                }
                b.append(text, last, m.start()).append(mask("high_entropy"));
                last = m.end();
                found.add("high_entropy");
            }
        }
        if (b == null) {
            return text;
        }
        return b.append(text, last, text.length()).toString();
    }

    /** The named group holding the secret in this match ("secret", "secret2", "secret3"), or null. */
    private static String secretGroup(Matcher m) {
        for (String name : new String[] {"secret", "secret2", "secret3"}) {
            try {
                if (m.group(name) != null) {
                    return name;
                }
            } catch (IllegalArgumentException noSuchGroup) {
                // the pattern has fewer alternatives
            }
        }
        return null;
    }

    /**
     * High Shannon entropy and all three of lower case, upper case and digits: a random 32-character
     * alphanumeric string has all three with probability > 99.6%, while CamelCase names, hex ids and
     * UUIDs lack one.
     */
    private boolean looksRandom(String token) {
        boolean lower = false;
        boolean upper = false;
        boolean digit = false;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            lower |= Character.isLowerCase(c);
            upper |= Character.isUpperCase(c);
            digit |= Character.isDigit(c);
        }
        int classes = (lower ? 1 : 0) + (upper ? 1 : 0) + (digit ? 1 : 0);
        return classes == 3 && shannonEntropy(token) >= entropyThreshold;
    }

    /** Bits per character. */
    public static double shannonEntropy(String s) {
        Map<Character, Integer> counts = new LinkedHashMap<>();
        for (int i = 0; i < s.length(); i++) {
            counts.merge(s.charAt(i), 1, Integer::sum);
        }
        double h = 0;
        for (int n : counts.values()) {
            double p = (double) n / s.length();
            h -= p * (Math.log(p) / Math.log(2));
        }
        return h;
    }

    private static String mask(String type) {
        return "[REDACTED:" + type + "]";
    }

    private static Map<String, Detector> builtIns() {
        Map<String, Detector> m = new LinkedHashMap<>();
        // the whole block (its body holds no "-----", so a BEGIN without an END scans only up to the next
        // dashes: linear); a paste cut before its END loses the header and the base64 lines that follow
        put(m, "private_key", "-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?:(?:(?!-----)[\\s\\S]){0,16384}+-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
                + "|(?:\\r?\\n[A-Za-z0-9+/=]{1,128}(?=\\r?\\n|\\z)){0,512}+)", "private key");
        put(m, "jwt", "\\beyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{10,}", "eyj");
        put(m, "anthropic_key", "\\bsk-ant-[A-Za-z0-9_-]{20,}", "sk-ant-");
        put(m, "openai_key", "\\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}", "sk-");
        put(m, "tandem_key", "\\btdm-[A-Za-z0-9_-]{40,}", "tdm-");
        put(m, "aws_access_key", "\\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\\b", "akia", "asia", "agpa", "aida", "aroa");
        put(m, "aws_secret_key", "(?i)aws_?secret_?access_?key[\"']?\\s*[:=]\\s*[\"']?(?<secret>[A-Za-z0-9/+=]{40})", "secret");
        put(m, "github_token", "\\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_");
        put(m, "gitlab_token", "\\bglpat-[A-Za-z0-9_-]{20,}", "glpat-");
        put(m, "huggingface_token", "\\bhf_[A-Za-z0-9]{30,}", "hf_");
        put(m, "stripe_key", "\\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}", "_live_", "_test_");
        put(m, "slack_token", "\\bxox[abposr]-[A-Za-z0-9-]{10,}", "xox");
        // credentials in headers, however the key looks (debug logs of HTTP clients and servers)
        put(m, "auth_header", "(?i)\\b(?:proxy-)?authorization\\b[\"']?\\s*[:=]\\s*[\"']?(?:Bearer|Basic|Token)\\s+(?<secret>[^\\s\"',;\\\\\\[\\]][^\\s\"',;\\\\\\]]*)", "authorization");
        put(m, "bearer_token", "\\bBearer\\s+(?<secret>[A-Za-z0-9._~+/=-]{8,})", "bearer");
        put(m, "api_key_header", "(?i)\\b(?:x-api-key|x-goog-api-key|api-key)\\b[\"']?\\s*[:=]\\s*[\"']?(?<secret>[^\\s\"',;\\\\\\[][^\\s\"',;\\\\]{8,})", "api-key");
        put(m, "google_api_key", "\\bAIza[0-9A-Za-z_-]{35}", "aiza");
        // bounded ({0,N}): an unbounded prefix rescans a long run of words at each boundary (quadratic)
        put(m, "url_credentials", "\\b[A-Za-z][A-Za-z0-9+.-]{0,30}://[^\\s:/@]{1,256}:(?<secret>[^\\s@/]{1,256})@", "://");
        // the keyword may end a longer name (DB_PASSWORD, dbPassword, root_pwd: no word boundary before
        // it) or take a _key/_token suffix (SECRET_KEY); a value another detector already masked is left
        // as it is; quotes may come JSON-escaped (\" in a JSON log line or request body)
        put(m, "password", "(?i)(?:password|passwd|pwd|secret|api_?key|access_?token|auth_?token)"
                + "(?:[_.-]?(?:key|token|value))?\\b[\"']?\\s*[:=]\\s*(?!\\\\?[\"']?\\[REDACTED:)"
                + "(?:\\\\?\"(?<secret>[^\"\\\\\\n]{3,})\\\\?\"|\\\\?'(?<secret2>[^'\\\\\\n]{3,})\\\\?'|(?<secret3>[^\\s\"',;()\\[\\]{}.]{3,})(?=[\\s,;]|$))", "passw", "pwd", "secret", "api_key", "apikey", "token");
        return java.util.Collections.unmodifiableMap(m);
    }

    private static void put(Map<String, Detector> m, String type, String regex, String... hints) {
        m.put(type, Detector.of(type, regex, hints));
    }
}
