package sealpost.recipe;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.KmsClientBuilder;
import software.amazon.cryptography.materialproviders.IKeyring;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.AesWrappingAlg;
import software.amazon.cryptography.materialproviders.model.CreateAwsKmsDiscoveryKeyringInput;
import software.amazon.cryptography.materialproviders.model.CreateAwsKmsKeyringInput;
import software.amazon.cryptography.materialproviders.model.CreateMultiKeyringInput;
import software.amazon.cryptography.materialproviders.model.CreateRawAesKeyringInput;
import software.amazon.cryptography.materialproviders.model.DiscoveryFilter;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * The department's keyring, built exactly as the ingest service's sealer builds it, so the stock ESDK opens its
 * sections: a local key is a raw AES-256-GCM keyring with key namespace "sealpost" and key name = the policy's
 * local key name (the 32 bytes of {@code <keys dir>/<name>.key}); a KMS key is a strict AWS KMS keyring on that
 * key ARN. Several keys (a rotation keeps old keys listed) become one multi-keyring.
 */
final class DepartmentKeyring {
  /** ESDK provider id of every local Sealpost key (shared/seal/local-keys.ts LOCAL_KEY_NAMESPACE). */
  static final String LOCAL_KEY_NAMESPACE = "sealpost";

  private static final int KEY_LENGTH = 32;

  private DepartmentKeyring() {}

  /** The keyring, or null with why: no key of the department is on this machine (each record then says so). */
  record Built(IKeyring keyring, String missing) {}

  /**
   * Builds the keyring from local key names (read from {@code keysDir}) and KMS key ARNs. A missing key file is not
   * fatal: the records sealed under it are reported as not_granted, one by one, instead of an empty topic.
   */
  static Built build(Args args) throws IOException {
    Path keysDir = args.keysDir;
    List<String> localNames = keysDir == null || !args.localNames.isEmpty() ? args.localNames : keyFilesIn(keysDir);
    List<String> kmsKeyArns = args.kmsKeys;
    MaterialProviders mpl = MaterialProviders.builder().MaterialProvidersConfig(MaterialProvidersConfig.builder().build()).build();
    List<IKeyring> keyrings = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String name : localNames) {
      if (keysDir != null && !Files.exists(keysDir.resolve(name + ".key"))) {
        missing.add(keysDir.resolve(name + ".key").toString());
        System.err.println("department-consumer: key file " + keysDir.resolve(name + ".key") + " is missing; records sealed under it will be reported not_granted");
        continue;
      }
      keyrings.add(localKeyring(mpl, keysDir, name));
    }
    if (!kmsKeyArns.isEmpty()) {
      KmsClient kms = kmsClient(null);
      for (String arn : kmsKeyArns) {
        keyrings.add(mpl.CreateAwsKmsKeyring(CreateAwsKmsKeyringInput.builder().kmsKeyId(arn).kmsClient(kms).build()));
      }
    }
    if (args.profile != null) {
      // Discovery: asks KMS for whatever key the section names, so always limited to your accounts (--account, which
      // Args requires): unlimited, a record sealed under anyone's key would open as the department's fields.
      CreateAwsKmsDiscoveryKeyringInput discovery = CreateAwsKmsDiscoveryKeyringInput.builder()
          .kmsClient(kmsClient(args.profile))
          .discoveryFilter(DiscoveryFilter.builder().accountIds(args.accounts).partition("aws").build())
          .build();
      keyrings.add(mpl.CreateAwsKmsDiscoveryKeyring(discovery));
    }
    if (keyrings.isEmpty()) {
      String expected = missing.isEmpty() ? keysDir.resolve(args.department + ".key").toString() : String.join(", ", missing);
      return new Built(null, "this consumer holds no key of the department (" + expected + " missing); copy it from the ingest service's key folder (mode 0600)");
    }
    if (keyrings.size() == 1) return new Built(keyrings.get(0), null);
    return new Built(
        mpl.CreateMultiKeyring(CreateMultiKeyringInput.builder().childKeyrings(keyrings.subList(1, keyrings.size())).generator(keyrings.get(0)).build()), null);
  }

  /**
   * Every key file of the folder ({@code <name>.key}, 32 bytes), as the kit and the Python recipe load it: holding
   * another department's key too lets a section moved from that department be named for what it is
   * (context_mismatch) instead of "not granted". Files of another length (not a department key) are skipped.
   */
  private static List<String> keyFilesIn(Path dir) throws IOException {
    List<String> names = new ArrayList<>();
    if (!Files.isDirectory(dir)) return names;
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files.sorted()::iterator) {
        String file = f.getFileName().toString();
        if (!file.endsWith(".key")) continue;
        String name = file.substring(0, file.length() - 4);
        if (name.matches("[A-Za-z0-9_-]{1,64}") && Files.isRegularFile(f) && Files.size(f) == KEY_LENGTH) names.add(name);
      }
    }
    return names;
  }

  private static IKeyring localKeyring(MaterialProviders mpl, Path keysDir, String name) throws IOException {
    if (keysDir == null) throw new IllegalArgumentException("--local " + name + " needs --keys DIR (the folder holding " + name + ".key)");
    if (!name.matches("[A-Za-z0-9_-]{1,64}")) throw new IllegalArgumentException("local key name must be 1-64 letters, digits, _ or -");
    Path file = keysDir.resolve(name + ".key");
    byte[] key = Files.readAllBytes(file);
    try {
      if (key.length != KEY_LENGTH) {
        throw new IllegalArgumentException("key file " + file + " holds " + key.length + " bytes, not " + KEY_LENGTH + "; copy it again from the ingest service's key folder");
      }
      return mpl.CreateRawAesKeyring(
          CreateRawAesKeyringInput.builder()
              .keyNamespace(LOCAL_KEY_NAMESPACE)
              .keyName(name)
              .wrappingKey(ByteBuffer.wrap(key.clone()))
              .wrappingAlg(AesWrappingAlg.ALG_AES256_GCM_IV12_TAG16)
              .build());
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /**
   * A KMS client for {@code profile} (its credentials and region), or the default credential chain (AWS_PROFILE,
   * environment, SSO...) when null or empty. AWS_ENDPOINT_URL_KMS, when set, points it elsewhere (a VPC endpoint, or a
   * KMS-compatible test server).
   */
  private static KmsClient kmsClient(String profile) {
    KmsClientBuilder builder = KmsClient.builder();
    if (profile != null && !profile.isEmpty()) {
      builder.credentialsProvider(ProfileCredentials.of(profile));
      builder.overrideConfiguration(o -> o.defaultProfileName(profile));
    }
    String endpoint = System.getenv("AWS_ENDPOINT_URL_KMS");
    if (endpoint != null && !endpoint.isEmpty()) builder.endpointOverride(URI.create(endpoint));
    String region = System.getenv("AWS_REGION") != null ? System.getenv("AWS_REGION") : System.getenv("AWS_DEFAULT_REGION");
    if (region != null && !region.isEmpty()) builder.region(Region.of(region));
    return builder.build();
  }
}
