package sealpost.recipe;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line, checked once: every problem is an IllegalArgumentException with a message that says what to pass. */
final class Args {
  static final String USAGE = String.join("\n",
      "usage: department-consumer --brokers HOST:PORT[,…] --topic T --department D",
      "         (--keys DIR [--local NAME]… | --kms-key ARN…) [--group G] [--from-beginning] [--until-end]",
      "  --keys DIR       folder of local department keys (<name>.key, 32 bytes, mode 0600); --local defaults to D",
      "  --kms-key ARN    a KMS key of the department (credentials from the default AWS chain; AWS_ENDPOINT_URL_KMS honoured)",
      "  --group G        resume from and commit to consumer group G (without it: read from the beginning, commit nothing)",
      "  --until-end      stop at the end offsets seen at start");

  String brokers;
  String topic;
  String department;
  Path keysDir;
  final List<String> localNames = new ArrayList<>();
  final List<String> kmsKeys = new ArrayList<>();
  String group;
  boolean fromBeginning;
  boolean untilEnd;

  private Args() {}

  static Args parse(String[] argv) {
    Args a = new Args();
    for (int i = 0; i < argv.length; i++) {
      String flag = argv[i];
      switch (flag) {
        case "--from-beginning" -> a.fromBeginning = true;
        case "--until-end" -> a.untilEnd = true;
        case "--brokers", "--topic", "--department", "--keys", "--local", "--kms-key", "--group" -> {
          if (i + 1 >= argv.length) throw new IllegalArgumentException(flag + " needs a value");
          String v = argv[++i];
          switch (flag) {
            case "--brokers" -> a.brokers = v;
            case "--topic" -> a.topic = v;
            case "--department" -> a.department = v;
            case "--keys" -> a.keysDir = Path.of(v);
            case "--local" -> a.localNames.add(v);
            case "--kms-key" -> a.kmsKeys.add(v);
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
    if (a.keysDir != null && a.localNames.isEmpty()) a.localNames.add(a.department);
    if (a.localNames.isEmpty() && a.kmsKeys.isEmpty()) throw new IllegalArgumentException("no key: pass --keys DIR or --kms-key ARN");
    return a;
  }
}
