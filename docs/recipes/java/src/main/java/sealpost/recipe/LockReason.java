package sealpost.recipe;

import com.amazonaws.encryptionsdk.exception.BadCiphertextException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.cryptography.materialproviders.model.CollectionOfErrors;
import software.amazon.cryptography.materialproviders.model.OpaqueError;

/**
 * Turns a failed decrypt into the same locked reasons as the TypeScript consumer kit, so a department sees WHY a
 * record stays closed and what to do, per record, instead of an empty topic. The ESDK and its keyrings wrap KMS
 * errors (a collection per keyring, opaque wrappers), so the whole tree of causes is searched, KMS answers first.
 */
final class LockReason {
  private LockReason() {}

  /**
   * @param localSealed true when the section's data keys are wrapped by local (raw AES, namespace "sealpost") keys
   *     only: then a failure with no KMS answer means this consumer does not hold that key (not_granted).
   */
  static SectionOpener.Opened of(RuntimeException error, String department, boolean localSealed, String profile) {
    List<Throwable> all = flatten(error);
    // An expired or never started SSO session (the sso module's words), as the kit's shared/kms/errors.ts reads it.
    for (Throwable t : all) {
      String msg = String.valueOf(t.getMessage());
      if (msg.matches("(?is).*sso login.*") || (msg.matches("(?is).*\\bsso\\b.*") && msg.matches("(?is).*expired.*"))) {
        String login = profile == null || profile.isEmpty() ? "aws sso login" : "aws sso login --profile " + profile;
        return SectionOpener.Opened.locked("sso_expired",
            "the SSO session of " + (profile == null || profile.isEmpty() ? "the default profile" : "profile " + profile) + " has expired or was never started: run `" + login + "`, then retry");
      }
    }
    for (Throwable t : all) {
      if (t instanceof KmsException k) {
        String code = k.awsErrorDetails() != null && k.awsErrorDetails().errorCode() != null ? k.awsErrorDetails().errorCode() : "";
        // A denial from a front door (an IAM proxy, a VPC endpoint policy) may come back without a KMS error code.
        if (code.isEmpty()) code = k.statusCode() == 403 ? "AccessDeniedException" : k.statusCode() == 401 ? "UnrecognizedClientException" : "";
        switch (code) {
          case "AccessDeniedException":
            return SectionOpener.Opened.locked("access_denied",
                "these AWS credentials may not use the " + department + " key; ask for kms:Decrypt on it (with the condition kms:EncryptionContext:sealpost:department = " + department + ")");
          case "NotFoundException", "DisabledException", "KMSInvalidStateException":
            return SectionOpener.Opened.locked("key_not_found",
                "the " + department + " key is not visible to these credentials (" + code + "): another account or region, disabled or deleted; ask its owner");
          case "InvalidCiphertextException":
            return SectionOpener.Opened.locked("tampered", "KMS refused this " + department + " section's data key as invalid: altered, or sealed under another context");
          case "UnrecognizedClientException", "ExpiredTokenException", "InvalidClientTokenId":
            return SectionOpener.Opened.locked("no_credentials", "AWS rejected these credentials (" + code + "); refresh them (e.g. aws sso login) and retry");
          case "ThrottlingException", "KMSInternalException", "DependencyTimeoutException":
            return SectionOpener.Opened.locked("kms_unreachable", "KMS is busy or failing (" + code + "); the record is reported, retry later");
          default:
            if (k.statusCode() >= 500) return SectionOpener.Opened.locked("kms_unreachable", "KMS failed (HTTP " + k.statusCode() + "); retry later");
            return SectionOpener.Opened.locked("unknown", "KMS rejected the request for the " + department + " key (" + (code.isEmpty() ? "HTTP " + k.statusCode() : code) + ")");
        }
      }
    }
    for (Throwable t : all) {
      if (t instanceof SdkClientException) {
        String msg = String.valueOf(t.getMessage());
        if (msg.contains("credentials")) {
          return SectionOpener.Opened.locked("no_credentials", "no usable AWS credentials (set AWS_PROFILE, or run aws sso login); " + firstLine(msg));
        }
        return SectionOpener.Opened.locked("kms_unreachable", "KMS did not answer (" + firstLine(msg) + "); check the network or endpoint and retry");
      }
    }
    for (Throwable t : all) {
      if (t instanceof BadCiphertextException || t instanceof IllegalArgumentException) {
        return SectionOpener.Opened.locked("tampered", "the " + department + " section failed authentication (" + firstLine(t.getMessage()) + "): it was altered; do not trust it");
      }
    }
    String text = String.valueOf(error.getMessage());
    if (text.contains("Tag mismatch") || text.contains("commitment") || text.contains("Commitment")) {
      return SectionOpener.Opened.locked("tampered", "the " + department + " section failed authentication: it was altered; do not trust it");
    }
    if (localSealed) {
      return SectionOpener.Opened.locked("not_granted",
          "this " + department + " section is sealed under a local key this consumer does not hold (another department's, or another key of the same name); copy the department's key file from the ingest service's key folder");
    }
    return SectionOpener.Opened.locked("key_not_found",
        "none of this consumer's " + department + " keys opens this section (it is sealed under another KMS key, or one outside --account); pass the department's key, or ask its owner");
  }

  /** The error and everything it wraps: causes, the members of a keyring's error collection, opaque payloads. */
  private static List<Throwable> flatten(Throwable root) {
    List<Throwable> out = new ArrayList<>();
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    Deque<Throwable> todo = new ArrayDeque<>();
    todo.add(root);
    while (!todo.isEmpty()) {
      Throwable t = todo.poll();
      if (t == null || seen.put(t, true) != null) continue;
      out.add(t);
      if (t.getCause() != null) todo.add(t.getCause());
      if (t instanceof CollectionOfErrors c && c.list() != null) todo.addAll(c.list());
      if (t instanceof OpaqueError o && o.obj() instanceof Throwable inner) todo.add(inner);
    }
    return out;
  }

  private static String firstLine(String s) {
    if (s == null) return "error";
    String line = s.split("\n", 2)[0];
    return line.length() > 160 ? line.substring(0, 160) : line;
  }
}
