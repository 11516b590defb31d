package dev.tandem.server.ops.redaction;

import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;

/** Secrets of each kind, freshly random per run, that tests plant in prompts and log lines. */
public final class PlantedSecrets {
    private static final SecureRandom R = new SecureRandom();
    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final String UPPER_DIGIT = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private PlantedSecrets() {}

    static String random(String alphabet, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(R.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    /** type → the secret value (what must never appear downstream). */
    public static Map<String, String> fresh() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("anthropic_key", "sk-ant-api03-" + random(ALNUM, 48));
        m.put("openai_key", "sk-proj-" + random(ALNUM, 48));
        m.put("aws_access_key", "AKIA" + random(UPPER_DIGIT, 16));
        m.put("github_token", "ghp_" + random(ALNUM, 36));
        m.put("slack_token", "xoxb-" + random("0123456789", 12) + "-" + random(ALNUM, 24));
        m.put("google_api_key", "AIza" + random(ALNUM, 35));
        m.put("private_key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow" + random(ALNUM, 60) + "\n" + random(ALNUM, 60)
                + "\n-----END RSA PRIVATE KEY-----");
        m.put("jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI" + random(ALNUM, 20) + "." + random(ALNUM, 43));
        m.put("password", "hunter-" + random(ALNUM, 6));
        // one of each class up front: the detector needs lower, upper and digit
        m.put("high_entropy", "q8Z" + random(ALNUM, 37));
        return m;
    }

    /** Text that embeds every secret as a developer might paste it. */
    public static String document(Map<String, String> s) {
        return "Here is my config, please fix the bug:\n"
                + "ANTHROPIC_API_KEY=" + s.get("anthropic_key") + "\n"
                + "client = OpenAI(api_key='" + s.get("openai_key") + "')\n"
                + "aws_access_key_id = " + s.get("aws_access_key") + "\n"
                + "token: " + s.get("github_token") + " and slack " + s.get("slack_token") + "\n"
                + "maps " + s.get("google_api_key") + "\n"
                + s.get("private_key") + "\n"
                + "Authorization: Bearer " + s.get("jwt") + "\n"
                + "db.password = \"" + s.get("password") + "\"\n"
                + "session " + s.get("high_entropy") + " end\n";
    }
}
