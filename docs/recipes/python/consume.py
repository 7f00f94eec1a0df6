"""A department consumer for Sealpost in Python: stock aws-encryption-sdk + confluent-kafka, both from PyPI.

    pip install "aws-encryption-sdk>=4,<5" "confluent-kafka>=2.6,<3"
    python consume.py --brokers HOST:PORT --topic T --department support --keys DIR [--from-beginning] [--until-end]
    python consume.py --brokers HOST:PORT --topic T --department support --profile P --account 111122223333 ...

Prints one JSON line per event, the same line as `npm run consume` (docs/consumers.md), so the two compare line
for line. It shows the steps a department must not skip: only its own section, the ESDK's authentication, the
ENCRYPTION CONTEXT CHECK (department, source, policy version) and the ID CHECK (the plaintext's id is the
envelope's), a bounded duplicate window, and offsets stored only after an event was printed.
"""
import argparse
import base64
import io
import json
import logging
import os
import re
import sys
import uuid
from collections import OrderedDict

import aws_encryption_sdk
import botocore.session
from aws_encryption_sdk import CommitmentPolicy
from aws_encryption_sdk.identifiers import EncryptionKeyType, WrappingAlgorithm
from aws_encryption_sdk.internal.crypto.wrapping_keys import WrappingKey
from aws_encryption_sdk.internal.formatting.deserialize import deserialize_header
from aws_encryption_sdk.key_providers.kms import DiscoveryFilter
from aws_encryption_sdk.key_providers.raw import RawMasterKeyProvider
from confluent_kafka import Consumer, KafkaException, TopicPartition

SCHEMA = "sealpost.envelope/1"
KEY_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class LocalKeys(RawMasterKeyProvider):
    """The folder's NAME.key files as raw AES keys: provider id 'sealpost', key id NAME (what the service writes)."""

    provider_id = "sealpost"

    def __init__(self):  # pylint: disable=super-init-not-called
        self.keys = {}

    def load(self, folder):
        """Reads the key files (32 bytes each, as the service writes them, mode 0600)."""
        for name in sorted(os.listdir(folder)):
            if name.endswith(".key") and KEY_NAME.match(name[:-4]):
                with open(os.path.join(folder, name), "rb") as f:
                    key = f.read()
                if len(key) == 32:
                    self.keys[name[:-4]] = key
                    self.add_master_key(name[:-4].encode("utf-8"))  # the ESDK decrypts with registered keys only
        return self

    def _get_raw_key(self, key_id):
        """Asked by the ESDK with the key name of a data key; a name we do not hold is a key we were not given."""
        key = self.keys.get(key_id.decode("utf-8"))
        if key is None:
            raise KeyError(f"no local key {key_id!r}")
        return WrappingKey(
            wrapping_algorithm=WrappingAlgorithm.AES_256_GCM_IV12_TAG16_NO_PADDING,
            wrapping_key=key,
            wrapping_key_type=EncryptionKeyType.SYMMETRIC,
        )


KMS_ERRORS = []  # error codes KMS answered during the current decrypt (the ESDK keeps only "Unable to decrypt")


def remember_kms_error(parsed=None, http_response=None, **_kwargs):
    """botocore hook after each KMS Decrypt: keep the error code, so a lock can say access denied vs not found."""
    code = (parsed or {}).get("Error", {}).get("Code")
    if code:
        KMS_ERRORS.append(code)
    if http_response is not None and http_response.status_code in (401, 403):
        KMS_ERRORS.append("AccessDenied")  # refused at the front door, without a KMS error body (as the kit reads it)


def kms_keys(profile, accounts):
    """KMS in discovery mode with the profile's credentials, always limited to your accounts: a crafted record could name any key."""
    session = botocore.session.Session(profile=profile) if profile else botocore.session.Session()
    session.register("after-call.kms.Decrypt", remember_kms_error)  # before the ESDK creates its KMS clients
    kwargs = {"botocore_session": session}
    kwargs["discovery_filter"] = DiscoveryFilter(account_ids=accounts, partition="aws")
    return aws_encryption_sdk.DiscoveryAwsKmsMasterKeyProvider(**kwargs)


def cause_codes(err):
    """AWS error codes anywhere in the exception chain (the ESDK wraps botocore's ClientError)."""
    codes, seen = [], set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        code = getattr(err, "response", {}).get("Error", {}).get("Code") if hasattr(err, "response") else None
        if code:
            codes.append(code)
        err = err.__cause__ or err.__context__
    return codes


def local_sealed(message):
    """True when every data key of the ESDK message is wrapped by a local Sealpost key (provider id 'sealpost')."""
    try:
        header, _ = deserialize_header(io.BytesIO(message))
    except Exception:  # pylint: disable=broad-except
        return False
    ids = [k.key_provider.provider_id for k in header.encrypted_data_keys]
    return bool(ids) and all(i in ("sealpost", b"sealpost") for i in ids)


def lock_for(err, department, local, sealed_locally=True):
    """The lock reason of docs/consumers.md for a failed decrypt."""
    codes = cause_codes(err) + KMS_ERRORS
    text = f"{type(err).__name__}: {err}".splitlines()[0][:160]
    if any(c in ("AccessDeniedException", "AccessDenied") for c in codes):
        return "access_denied", f"this identity may not use the {department} key: ask for kms:Decrypt on it ({text})"
    if any(c in ("NotFoundException", "DisabledException", "KMSInvalidStateException") for c in codes):
        return "key_not_found", f"the {department} key is not visible or not usable ({text})"
    if any(c in ("UnrecognizedClientException", "InvalidClientTokenId", "ExpiredTokenException") for c in codes):
        return "no_credentials", f"AWS rejected the credentials ({text})"
    if type(err).__name__ in ("NoCredentialsError", "SSOTokenLoadError", "UnauthorizedSSOTokenError"):
        return "no_credentials", f"no usable AWS credentials ({text})"
    if type(err).__name__ in ("EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError"):
        return "kms_unreachable", f"KMS did not answer ({text})"
    if type(err).__name__ == "DecryptKeyError" or "Unable to decrypt any data key" in str(err):
        if local and not sealed_locally:
            return "key_not_found", f"this {department} section is sealed under a KMS key, and local keys only were given (--keys): read it with --profile P --account ID"
        if local:
            return "not_granted", f"no key in the local key folder opens the {department} section: copy {department}.key from the ingest service"
        return "key_not_found", f"no KMS key this identity may use opens the {department} section ({text})"
    return "tampered", f"the {department} section did not authenticate ({text}): do not trust it"


def open_section(client, provider, envelope, department, local):
    """(fields, None) or (None, (reason, message)). The two checks after decrypt are the point of this recipe."""
    del KMS_ERRORS[:]
    message = b""
    try:
        message = base64.b64decode(envelope["sections"][department])
        plaintext, header = client.decrypt(source=message, key_provider=provider)
    except Exception as err:  # a record we cannot open is reported, never fatal
        return None, lock_for(err, department, local, local_sealed(message))
    # 1. ENCRYPTION CONTEXT: authentic is not enough, it must be THIS department's section of THIS source/policy.
    # .get: an envelope lacking source/policyVersion (a genuine section copied into it) is a mismatch, not a crash.
    context = header.encryption_context
    version = envelope.get("policyVersion")
    expected = {
        "sealpost:department": department,
        "sealpost:source": envelope.get("source"),
        "sealpost:policy-version": None if version is None else str(version),
    }
    for key, value in expected.items():
        if context.get(key) != value:
            return None, ("context_mismatch", f"the {department} section's encryption context says {key} = {context.get(key)!r}, not {value!r}: it was moved; do not trust it")
    try:
        section = json.loads(plaintext.decode("utf-8"))
    except ValueError:
        return None, ("tampered", f"the {department} section decrypted but is not JSON")
    # 2. ID BINDING: the context is low-cardinality (cached data keys), so the event id is bound inside the plaintext.
    if not isinstance(section, dict) or section.get("id") != envelope["id"] or section.get("department") != department:
        return None, ("id_mismatch", f"the {department} section belongs to another event: it was copied from another record; do not trust it")
    if not isinstance(section.get("fields"), dict):
        return None, ("tampered", f"the {department} section has no fields object")
    return section["fields"], None


def event_line(msg, envelope, fields=None, locked=None):
    line = {
        "id": envelope.get("id") if envelope else None,
        "type": envelope.get("type") if envelope else None,
        "time": envelope.get("time") if envelope else None,
        "source": envelope.get("source") if envelope else None,
        "partition": msg.partition(),
        "offset": str(msg.offset()),
        "clear": envelope.get("clear", {}) if envelope else {},
    }
    if locked is None:
        line["fields"] = fields
    else:
        line["locked"] = {"reason": locked[0], "message": locked[1]}
    return json.dumps(line, separators=(",", ":"), ensure_ascii=False)


def parse_envelope(value):
    try:
        envelope = json.loads(value) if value else None
    except ValueError:
        return None
    ok = isinstance(envelope, dict) and envelope.get("schema") == SCHEMA and isinstance(envelope.get("id"), str)
    return envelope if ok and isinstance(envelope.get("clear"), dict) and isinstance(envelope.get("sections"), dict) else None


def main():
    ap = argparse.ArgumentParser(description="Read a Sealpost topic as one department (see docs/consumers.md).")
    ap.add_argument("--brokers", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--department", required=True)
    start = ap.add_mutually_exclusive_group()
    start.add_argument("--group", help="consumer group (a new one starts at the earliest offset)")
    start.add_argument("--from-beginning", action="store_true")
    ap.add_argument("--until-end", action="store_true", help="stop at the end each partition had at start")
    keys = ap.add_mutually_exclusive_group(required=True)
    keys.add_argument("--keys", help="folder of local department keys (NAME.key)")
    keys.add_argument("--profile", help="AWS profile for KMS ('' = default chain)")
    ap.add_argument("--account", action="append", default=[], help="AWS account whose KMS keys may be asked (required with --profile; repeat)")
    ap.add_argument("--dedupe-window", type=int, default=100_000)
    args = ap.parse_args()
    if args.profile is not None and not args.account:
        # Unlimited discovery would open a section sealed under anyone's KMS key: whoever can write to the topic
        # could forge a department's fields.
        ap.error("--profile needs --account ID (your AWS account whose KMS keys seal the sections; repeat for several)")
    # The ESDK logs a traceback for every message it could not open; this program reports those itself, per record.
    logging.getLogger("aws_encryption_sdk").setLevel(logging.CRITICAL)

    local = args.keys is not None
    provider = LocalKeys().load(args.keys) if local else kms_keys(args.profile or None, args.account)
    client = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, max_encrypted_data_keys=8)
    group = args.group or f"sealpost-consume-{args.department}-{uuid.uuid4().hex[:12]}"
    consumer = Consumer({
        "bootstrap.servers": args.brokers,
        "group.id": group,
        "auto.offset.reset": "earliest" if (args.group or args.from_beginning) else "latest",
        "enable.auto.offset.store": False,  # store an offset only once its event was printed (at least once)
        "enable.auto.commit": True,
    })
    try:
        meta = consumer.list_topics(args.topic, timeout=10)
    except KafkaException as err:
        print(f"[consume.py] cannot reach Kafka at {args.brokers}: {err}", file=sys.stderr)
        return 3
    if args.topic not in meta.topics or meta.topics[args.topic].error is not None:
        print(f"[consume.py] topic {args.topic} does not exist", file=sys.stderr)
        return 3
    partitions = sorted(meta.topics[args.topic].partitions)
    remaining = {}
    if args.until_end:
        committed = {tp.partition: tp.offset for tp in consumer.committed([TopicPartition(args.topic, p) for p in partitions], timeout=10)}
        for p in partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(args.topic, p), timeout=10)
            begin = committed.get(p, -1) if committed.get(p, -1) >= 0 else (low if (args.group or args.from_beginning) else high)
            if begin < high:
                remaining[p] = high
        if not remaining:
            consumer.close()
            print("[consume.py] 0 events: nothing to read", file=sys.stderr)
            return 0
    consumer.subscribe([args.topic])
    seen = OrderedDict()
    counts = {"events": 0, "duplicates": 0}
    try:
        while not args.until_end or remaining:
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                print(f"[consume.py] {msg.error()}", file=sys.stderr)
                continue
            envelope = parse_envelope(msg.value())
            duplicate = False
            if envelope is None:
                print(event_line(msg, None, locked=("malformed", f"record {msg.partition()}:{msg.offset()} is not a Sealpost envelope")), flush=True)
            else:
                # Dedupe only VERIFIED ids, per partition (real repeats share the Kafka key): a locked record's id
                # proves nothing, and a copy without our section must not hide the genuine event.
                at = f"{msg.partition()}:{envelope['id']}"
                if args.department not in envelope["sections"]:
                    fields, locked, key = {}, None, "bare " + at  # the policy grants this department nothing here
                    duplicate = "opened " + at in seen or key in seen
                else:
                    fields, locked = open_section(client, provider, envelope, args.department, local)
                    key = None if locked else "opened " + at
                    duplicate = key in seen
                if duplicate:
                    counts["duplicates"] += 1
                else:
                    if key:
                        seen[key] = True
                        if len(seen) > args.dedupe_window:
                            seen.popitem(last=False)
                    print(event_line(msg, envelope, fields=fields, locked=locked), flush=True)
            if not duplicate:
                counts["events"] += 1
            consumer.store_offsets(message=msg)
            if msg.partition() in remaining and msg.offset() + 1 >= remaining[msg.partition()]:
                del remaining[msg.partition()]
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()  # commits the stored offsets
    print(f"[consume.py] {counts['events']} events, {counts['duplicates']} duplicates dropped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
