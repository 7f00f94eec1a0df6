package sealpost.recipe;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line, checked once: every problem is an IllegalArgumentException with a message that says what to pass. */
final class Args {
  static final String USAGE = String.join("\n",
      "usage: department-consumer --brokers HOST:PORT[,…] --topic T --department D",
      "         (--keys DIR [--local NAME]… | --profile P --account ID… | --kms-key ARN…) [--group G | --from-beginning] [--until-end]",
      "  --keys DIR       folder of local department keys (<name>.key, 32 bytes, mode 0600): all of them, or only --local NAME…",
      "  --profile P      KMS in discovery mode with AWS profile P ('' = the default chain), limited to the KMS keys of",
      "  --account ID     your AWS account(s) (required with --profile; repeat for several)",
      "  --kms-key ARN    KMS with exactly this key of the department (default credential chain)",
      "                   (AWS_ENDPOINT_URL_KMS is honoured by both KMS modes, AWS_ENDPOINT_URL_STS by role profiles)",
      "  --group G        resume from and commit to consumer group G (a new group starts at the earliest offset)",
      "  --from-beginning read from the earliest offset, commit nothing (without either: only new events)",
      "  --until-end      stop at the end offsets seen at start",
      "  --keys-topic K   the compacted topic of subject keys (default sealpost.subject-keys): version-2 sections",
      "                   open in two steps through it; a forgotten person's records print locked \"forgotten\"",
      "Exit status: 0 read what was asked; 2 bad arguments; 3 cannot reach Kafka or the topic.");

  String brokers;
  String topic;
  String department;
  Path keysDir;
  final List<String> localNames = new ArrayList<>();
  final List<String> kmsKeys = new ArrayList<>();
  /** null: no discovery keyring; "" : discovery with the default credential chain. */
  String profile;
  final List<String> accounts = new ArrayList<>();
  String group;
  boolean fromBeginning;
  boolean untilEnd;
  String keysTopic = "sealpost.subject-keys";

  private Args() {}

  static Args parse(String[] argv) {
    Args a = new Args();
    for (int i = 0; i < argv.length; i++) {
      String flag = argv[i];
      switch (flag) {
        case "--from-beginning" -> a.fromBeginning = true;
        case "--until-end" -> a.untilEnd = true;
        case "--brokers", "--topic", "--department", "--keys", "--local", "--kms-key", "--group", "--profile", "--account", "--keys-topic" -> {
          if (i + 1 >= argv.length) throw new IllegalArgumentException(flag + " needs a value");
          String v = argv[++i];
          switch (flag) {
            case "--brokers" -> a.brokers = v;
            case "--topic" -> a.topic = v;
            case "--department" -> a.department = v;
            case "--keys" -> a.keysDir = Path.of(v);
            case "--local" -> a.localNames.add(v);
            case "--kms-key" -> a.kmsKeys.add(v);
            case "--profile" -> a.profile = v;
            case "--keys-topic" -> a.keysTopic = v;
            case "--account" -> {
              if (!v.matches("\\d{12}")) throw new IllegalArgumentException("--account takes a 12-digit AWS account id");
              a.accounts.add(v);
            }
            default -> a.group = v;
          }
        }
        default -> throw new IllegalArgumentException("unknown argument " + flag);
      }
    }
    List<String> missing = new ArrayList<>();
    if (a.brokers == null) missing.add("--brokers");
    if (a.topic == null) missing.add("--topic");
    if (a.department == null) missing.add("--department");
    if (!missing.isEmpty()) throw new IllegalArgumentException("missing " + String.join(", ", missing));
    if (!a.localNames.isEmpty() && a.keysDir == null) throw new IllegalArgumentException("--local NAME needs --keys DIR (the folder holding NAME.key)");
    if (a.keysDir == null && a.kmsKeys.isEmpty() && a.profile == null) throw new IllegalArgumentException("no key: pass --keys DIR, --profile P or --kms-key ARN");
    if (a.group != null && a.fromBeginning) throw new IllegalArgumentException("--group and --from-beginning exclude each other (a group resumes from its offsets)");
    if (!a.accounts.isEmpty() && a.profile == null) throw new IllegalArgumentException("--account limits --profile's discovery; pass --profile too");
    // Unlimited discovery would ask KMS for whatever key a record names: anyone who can write to the topic could
    // seal forged fields under a key of their own, and they would open as the department's.
    if (a.profile != null && a.accounts.isEmpty()) {
      throw new IllegalArgumentException("--profile needs --account ID (your AWS account whose KMS keys seal the sections; repeat for several): discovery without it would open sections sealed under anyone's key");
    }
    return a;
  }
}
