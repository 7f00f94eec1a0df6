package sealpost.recipe;

import com.amazonaws.encryptionsdk.AwsCrypto;
import com.amazonaws.encryptionsdk.CommitmentPolicy;
import com.amazonaws.encryptionsdk.CryptoResult;
import com.amazonaws.encryptionsdk.ParsedCiphertext;
import com.amazonaws.encryptionsdk.model.KeyBlob;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.cryptography.materialproviders.IKeyring;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.AesWrappingAlg;
import software.amazon.cryptography.materialproviders.model.CreateRawAesKeyringInput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * Opens one department's section of an envelope with the stock ESDK, then does the two checks the ESDK cannot do
 * for Sealpost and a department must not skip: the encryption context names this department, source and policy
 * version (else a section was moved between departments or sources), and the plaintext's id equals the envelope's
 * id (the context holds no event id, so cached data keys are reused; the id inside binds the section to its record).
 * A version-2 envelope naming a subject key for the department ({@code keys}) opens in two steps: the subject key from
 * the keys topic with the department's keyring, then the section with a raw AES keyring holding that key.
 */
final class SectionOpener {
  /** What opening gave: the fields, or a locked reason (code + what to do next). */
  record Opened(JsonNode fields, String reason, String message) {
    static Opened open(JsonNode fields) {
      return new Opened(fields, null, null);
    }

    static Opened locked(String reason, String message) {
      return new Opened(null, reason, message);
    }
  }

  private final AwsCrypto crypto = AwsCrypto.builder().withCommitmentPolicy(CommitmentPolicy.RequireEncryptRequireDecrypt).build();
  private final ObjectMapper json;
  private final IKeyring keyring;
  private final String department;
  private final String noKey;
  private final String profile;
  private final SubjectKeys subjectKeys;
  private final MaterialProviders mpl = MaterialProviders.builder().MaterialProvidersConfig(MaterialProvidersConfig.builder().build()).build();

  /**
   * {@code keyring} null: this consumer holds no key of the department; {@code noKey} says which and what to do.
   * {@code profile}: the --profile (null without), named in the `aws sso login` advice of an expired SSO session.
   */
  SectionOpener(ObjectMapper json, IKeyring keyring, String department, String noKey, String profile, SubjectKeys subjectKeys) {
    this.subjectKeys = subjectKeys;
    this.json = json;
    this.keyring = keyring;
    this.department = department;
    this.noKey = noKey;
    this.profile = profile;
  }

  /** True when every data key of the message is wrapped by a local Sealpost key (ESDK provider id "sealpost"). */
  private static boolean localSealed(byte[] message) {
    try {
      var blobs = new ParsedCiphertext(message).getEncryptedKeyBlobs();
      return !blobs.isEmpty() && blobs.stream().map(KeyBlob::getProviderId).allMatch(DepartmentKeyring.LOCAL_KEY_NAMESPACE::equals);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Step 1 of a v2 section: the 32-byte subject key of {@code record}, or why not. */
  private Object openSubjectKey(JsonNode record) {
    byte[] sealed;
    try {
      sealed = Base64.getDecoder().decode(record.path("sealed").asText());
    } catch (IllegalArgumentException e) {
      return Opened.locked("tampered", "the sealed subject key " + record.path("keyId").asText() + " is not base64");
    }
    CryptoResult<byte[], ?> result;
    try {
      result = crypto.decryptData(keyring, sealed);
    } catch (RuntimeException e) {
      return LockReason.of(e, department, localSealed(sealed), profile);
    }
    Map<String, String> context = result.getEncryptionContext();
    if (!department.equals(context.get("sealpost:department")) || !"subject-key".equals(context.get("sealpost:purpose"))) {
      return Opened.locked("context_mismatch", "the sealed subject key " + record.path("keyId").asText() + " is not a " + department + " subject key: do not trust it");
    }
    try {
      JsonNode inner = json.readTree(new String(result.getResult(), StandardCharsets.UTF_8));
      byte[] key = Base64.getDecoder().decode(inner.path("key").asText());
      if (record.path("keyId").asText().equals(inner.path("keyId").asText(null)) && record.path("subject").asText().equals(inner.path("subject").asText(null))
          && department.equals(inner.path("department").asText(null)) && key.length == 32) {
        return key;
      }
    } catch (Exception e) {
      // falls through: not the plaintext of a subject key
    } finally {
      Arrays.fill(result.getResult(), (byte) 0);
    }
    return Opened.locked("id_mismatch", "the sealed subject key " + record.path("keyId").asText() + " holds another key id, subject or department than its record: do not trust it");
  }

  /** True when a data key of the message is wrapped under subject key {@code keyId} (namespace sealpost-subject). */
  private static boolean wrappedUnder(byte[] message, String keyId) {
    try {
      byte[] name = keyId.getBytes(StandardCharsets.UTF_8);
      return new ParsedCiphertext(message).getEncryptedKeyBlobs().stream().anyMatch(b -> "sealpost-subject".equals(b.getProviderId())
          && b.getProviderInformation().length >= name.length && Arrays.equals(Arrays.copyOf(b.getProviderInformation(), name.length), name));
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Null when the envelope carries no section for the department (its policy grants it nothing here). */
  Opened open(JsonNode envelope) {
    JsonNode section = envelope.path("sections").get(department);
    if (section == null) return null;
    // Present but not a string (a number, object or null): altered, never "nothing granted" (as the kit reads it).
    if (!section.isTextual()) return Opened.locked("tampered", "the " + department + " section is not a base64 string; do not trust this record");
    String keyId = envelope.path("keys").path(department).asText(null);
    JsonNode keyRecord = null;
    if (keyId != null) {
      Object verdict = subjectKeys.verdict(envelope, department, keyId);
      if (verdict instanceof Opened lock) return lock;
      keyRecord = (JsonNode) verdict;
    }
    if (keyring == null) return Opened.locked("not_granted", noKey);
    IKeyring sectionKeyring = keyring;
    if (keyRecord != null) {
      // Step 1: the subject key, sealed under the department's key.
      Object key = openSubjectKey(keyRecord);
      if (key instanceof Opened lock) return lock;
      byte[] raw = (byte[]) key;
      sectionKeyring = mpl.CreateRawAesKeyring(CreateRawAesKeyringInput.builder()
          .keyNamespace("sealpost-subject").keyName(keyId).wrappingKey(ByteBuffer.wrap(raw.clone())).wrappingAlg(AesWrappingAlg.ALG_AES256_GCM_IV12_TAG16).build());
      Arrays.fill(raw, (byte) 0);
    }
    byte[] message;
    try {
      message = Base64.getDecoder().decode(section.asText());
    } catch (IllegalArgumentException e) {
      return Opened.locked("tampered", "the " + department + " section is not base64; do not trust this record");
    }
    CryptoResult<byte[], ?> result;
    try {
      result = crypto.decryptData(sectionKeyring, message);
    } catch (RuntimeException e) {
      if (keyId != null) {
        return wrappedUnder(message, keyId)
            ? Opened.locked("tampered", "the " + department + " section did not authenticate under its subject key: do not trust it")
            : Opened.locked("context_mismatch", "the " + department + " section is not sealed under subject key " + keyId + ", which its envelope names: it was moved; do not trust it");
      }
      return LockReason.of(e, department, localSealed(message), profile);
    }
    if (keyId != null && !keyId.equals(result.getEncryptionContext().get("sealpost:subject-key"))) {
      return Opened.locked("context_mismatch", "the " + department + " section's encryption context does not name subject key " + keyId + ": it was moved; do not trust it");
    }
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("sealpost:department", department);
    expected.put("sealpost:source", envelope.path("source").asText());
    expected.put("sealpost:policy-version", envelope.path("policyVersion").asText());
    Map<String, String> context = result.getEncryptionContext();
    for (Map.Entry<String, String> e : expected.entrySet()) {
      if (!e.getValue().equals(context.get(e.getKey()))) {
        return Opened.locked(
            "context_mismatch",
            "the " + department + " section's encryption context says " + e.getKey() + " = " + context.get(e.getKey()) + ", not " + e.getValue()
                + ": it was moved from another department, source or policy version; do not trust it");
      }
    }
    JsonNode plain;
    try {
      plain = json.readTree(new String(result.getResult(), StandardCharsets.UTF_8));
    } catch (Exception e) {
      return Opened.locked("tampered", "the " + department + " section decrypted but is not JSON; report it to the ingest service owners");
    }
    if (!envelope.path("id").asText().equals(plain.path("id").asText(null)) || !department.equals(plain.path("department").asText(null))) {
      return Opened.locked(
          "id_mismatch",
          "the " + department + " section belongs to another event (its id does not match this record): it was copied from another record; do not trust it");
    }
    JsonNode fields = plain.get("fields");
    if (fields == null || !fields.isObject()) {
      return Opened.locked("tampered", "the " + department + " section has no fields object; report it to the ingest service owners");
    }
    return Opened.open(fields);
  }
}
