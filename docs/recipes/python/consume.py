"""A department consumer for Sealpost in Python: stock aws-encryption-sdk + confluent-kafka, both from PyPI.

    pip install "aws-encryption-sdk>=4,<5" "confluent-kafka>=2.6,<3"
    python consume.py --brokers HOST:PORT --topic T --department support --keys DIR [--from-beginning] [--until-end]
    python consume.py --brokers HOST:PORT --topic T --department support --profile P --account 111122223333 ...
    [--keys-topic sealpost.subject-keys]

Prints one JSON line per event, the same line as `npm run consume` (docs/consumers.md), so the two compare line
for line. It shows the steps a department must not skip: only its own section, the ESDK's authentication, the
ENCRYPTION CONTEXT CHECK (department, source, policy version) and the ID CHECK (the plaintext's id is the
envelope's), a bounded duplicate window, and offsets stored only after an event was printed.

Records of envelope version 2 may seal a department's section under a per-person SUBJECT KEY (crypto-shredding,
docs/forget.md). Such a section opens in two stock-ESDK steps: (1) the subject key, itself an ESDK message sealed
under the department's key, read from the compacted keys topic; (2) the section, under a raw AES keyring holding
that key. A person who was forgotten has no key left anywhere: their sections print locked "forgotten".
"""
import argparse
import base64
import io
import json
import logging
import os
import re
import sys
import time
import uuid
from datetime import datetime
from collections import OrderedDict

import aws_encryption_sdk
import botocore.session
from aws_encryption_sdk import CommitmentPolicy
from aws_encryption_sdk.identifiers import EncryptionKeyType, WrappingAlgorithm
from aws_encryption_sdk.internal.crypto.wrapping_keys import WrappingKey
from aws_encryption_sdk.internal.formatting.deserialize import deserialize_header
from aws_encryption_sdk.key_providers.kms import DiscoveryFilter
from aws_encryption_sdk.key_providers.raw import RawMasterKeyProvider
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, TopicPartition

SCHEMAS = ("sealpost.envelope/1", "sealpost.envelope/2")
KEY_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")
SUBJECT_KEY_NAMESPACE = "sealpost-subject"


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


class SubjectKey(RawMasterKeyProvider):
    """One subject key as a raw AES key: provider id 'sealpost-subject', key id = the key id (step 2)."""

    provider_id = SUBJECT_KEY_NAMESPACE

    def __init__(self):  # pylint: disable=super-init-not-called
        self.key = None

    def holding(self, key_id, key):
        """This provider with the one subject key the envelope names for the department."""
        self.key = key
        self.add_master_key(key_id.encode("utf-8"))
        return self

    def _get_raw_key(self, key_id):
        return WrappingKey(
            wrapping_algorithm=WrappingAlgorithm.AES_256_GCM_IV12_TAG16_NO_PADDING,
            wrapping_key=self.key,
            wrapping_key_type=EncryptionKeyType.SYMMETRIC,
        )


def parse_time(text):
    """An ISO 8601 time as the service writes it (…Z), or None."""
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


class SubjectKeys:
    """The compacted keys topic as this consumer read it: sealed key records by key id ("key/SUBJECT/DEPT/KEYID"),
    forget markers by subject ("forgotten/SUBJECT"), and the key ids it saw tombstoned. Read from the beginning
    before the first record, and again (at most every 2 s) when a record names a key it does not hold yet."""

    def __init__(self, brokers, topic):
        self.topic, self.keys, self.forgotten, self.shredded = topic, {}, {}, set()
        self.problem, self.last, self.assigned = None, 0.0, False
        self.consumer = Consumer({"bootstrap.servers": brokers, "group.id": f"sealpost-keys-reader-{uuid.uuid4().hex[:12]}", "enable.auto.commit": False})

    def apply(self, key, value):
        parts = (key or b"").decode("utf-8", "replace").split("/")
        if parts[0] == "key" and len(parts) == 4 and KEY_ID.match(parts[3]):
            subject, department, key_id = parts[1:]
            if not value:
                self.keys.pop(key_id, None)  # a tombstone: the key is shredded
                self.shredded.add(key_id)
                return
            try:
                record = json.loads(value)
            except ValueError:
                return
            if isinstance(record, dict) and (record.get("schema"), record.get("subject"), record.get("department"), record.get("keyId")) == ("sealpost.subject-key/1", subject, department, key_id):
                self.keys[key_id] = record
        elif parts[0] == "forgotten" and len(parts) == 2 and parts[1]:
            marker = json.loads(value) if value else None
            if marker is None:
                self.forgotten.pop(parts[1], None)
            elif isinstance(marker, dict) and marker.get("subject") == parts[1] and isinstance(marker.get("forgottenAt"), str):
                self.forgotten[parts[1]] = marker["forgottenAt"]

    def catch_up(self, force=False):
        """Reads the keys topic up to its current end (a compacted partition's tail may be gone: 1.5 s of silence is the end)."""
        if not force and time.monotonic() - self.last < 2:
            return
        self.last = time.monotonic()
        meta = self.consumer.list_topics(self.topic, timeout=10)
        if self.topic not in meta.topics or meta.topics[self.topic].error is not None:
            self.problem = f"the keys topic {self.topic} does not exist on these brokers (check --keys-topic)"
            return
        self.problem = None
        parts = sorted(meta.topics[self.topic].partitions)
        if not self.assigned:
            self.consumer.assign([TopicPartition(self.topic, p, OFFSET_BEGINNING) for p in parts])
            self.assigned = True
        ends = {p: self.consumer.get_watermark_offsets(TopicPartition(self.topic, p), timeout=10) for p in parts}
        todo = {p for p, (low, high) in ends.items() if high > low and self.position(p) < high}
        quiet = time.monotonic()
        while todo and time.monotonic() - quiet < 1.5:
            msg = self.consumer.poll(0.25)
            if msg is None or msg.error():
                continue
            quiet = time.monotonic()
            self.apply(msg.key(), msg.value())
            if msg.offset() + 1 >= ends[msg.partition()][1]:
                todo.discard(msg.partition())

    def position(self, partition):
        [tp] = self.consumer.position([TopicPartition(self.topic, partition)])
        return tp.offset if tp.offset >= 0 else -1

    def verdict(self, envelope, department, key_id):
        """(record, None) to open with, or (None, (reason, message)) as the kit decides it."""
        record = self.keys.get(key_id)
        if record is None:
            self.catch_up()  # written just before this record, perhaps
            record = self.keys.get(key_id)
        subject = record["subject"] if record else envelope.get("recipient")
        forgotten_at = self.forgotten.get(subject) if subject else None
        made = parse_time(record["createdAt"]) if record else None
        forgot = parse_time(forgotten_at) if forgotten_at else None
        # A key made before the forget marker is forgotten even while its tombstone is on its way.
        if forgotten_at and (record is None or made is None or forgot is None or made <= forgot):
            return None, ("forgotten", f"forgotten on {forgotten_at[:10]}: this person's {department} fields were shredded (their subject key is gone) and nobody can open them any more")
        if record is None and key_id in self.shredded:
            return None, ("forgotten", f"forgotten: the subject key of this {department} section was shredded on {self.topic}")
        if record is None:
            why = self.problem or f"it is not on {self.topic}: check --keys-topic"
            return None, ("subject_key_missing", f"this {department} section is sealed under subject key {key_id}, which this reader does not hold: {why}")
        if record["department"] != department or ("recipient" in envelope and record["subject"] != envelope["recipient"]):
            return None, ("context_mismatch", f"the {department} section names a subject key of another department or person: it was moved; do not trust it")
        return record, None


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


def subject_key_ids(message):
    """The subject key ids the data keys of an ESDK message are wrapped under (provider 'sealpost-subject')."""
    try:
        header, _ = deserialize_header(io.BytesIO(message))
    except Exception:  # pylint: disable=broad-except
        return set()
    out = set()
    for k in header.encrypted_data_keys:
        if k.key_provider.provider_id in (SUBJECT_KEY_NAMESPACE, SUBJECT_KEY_NAMESPACE.encode()):
            out.add(bytes(k.key_provider.key_info[:22]).decode("utf-8", "replace"))
    return out


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


def open_subject_key(client, provider, record, department, local):
    """Step 1 of a v2 section: the subject key out of its keys-topic record, opened with the DEPARTMENT's key."""
    del KMS_ERRORS[:]
    message = b""
    try:
        message = base64.b64decode(record["sealed"])
        plaintext, header = client.decrypt(source=message, key_provider=provider)
    except Exception as err:  # pylint: disable=broad-except
        return None, lock_for(err, department, local, local_sealed(message))
    context = header.encryption_context
    if context.get("sealpost:department") != department or context.get("sealpost:purpose") != "subject-key":
        return None, ("context_mismatch", f"the sealed subject key {record['keyId']} is not a {department} subject key: do not trust it")
    try:
        inner = json.loads(plaintext.decode("utf-8"))
        key = base64.b64decode(inner["key"])
    except (ValueError, KeyError, TypeError):
        inner, key = None, b""
    if not isinstance(inner, dict) or (inner.get("keyId"), inner.get("subject"), inner.get("department")) != (record["keyId"], record["subject"], department) or len(key) != 32:
        return None, ("id_mismatch", f"the sealed subject key {record['keyId']} holds another key id, subject or department than its record: do not trust it")
    return key, None


def open_section(client, provider, envelope, department, local, subject_keys):
    """(fields, None) or (None, (reason, message)). The two checks after decrypt are the point of this recipe."""
    del KMS_ERRORS[:]
    message = b""
    if not isinstance(envelope["sections"][department], str):
        return None, ("tampered", f"the {department} section is not a base64 string; do not trust this record")
    key_id = envelope.get("keys", {}).get(department)
    section_provider = provider
    if key_id is not None:
        # v2: sealed under this person's subject key (step 1), which then opens the section (step 2).
        record, lock = subject_keys.verdict(envelope, department, key_id)
        if lock:
            return None, lock
        key, lock = open_subject_key(client, provider, record, department, local)
        if lock:
            return None, lock
        section_provider = SubjectKey().holding(key_id, key)
    try:
        message = base64.b64decode(envelope["sections"][department])
        plaintext, header = client.decrypt(source=message, key_provider=section_provider)
    except Exception as err:  # a record we cannot open is reported, never fatal
        if key_id is not None:
            named = key_id in subject_key_ids(message)
            return None, ("tampered", f"the {department} section did not authenticate under its subject key: do not trust it") if named else (
                "context_mismatch", f"the {department} section is not sealed under subject key {key_id}, which its envelope names: it was moved; do not trust it")
        return None, lock_for(err, department, local, local_sealed(message))
    if key_id is not None and header.encryption_context.get("sealpost:subject-key") != key_id:
        return None, ("context_mismatch", f"the {department} section's encryption context does not name subject key {key_id}: it was moved; do not trust it")
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
    ok = isinstance(envelope, dict) and envelope.get("schema") in SCHEMAS and isinstance(envelope.get("id"), str)
    keys = envelope.get("keys", {}) if ok else None
    ok = ok and isinstance(keys, dict) and all(isinstance(k, str) for k in keys.values())
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
    ap.add_argument("--keys-topic", default="sealpost.subject-keys", help="the compacted topic of subject keys (v2 records)")
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
    subject_keys = SubjectKeys(args.brokers, args.keys_topic)
    subject_keys.catch_up(force=True)  # every key record and forget marker, before the first record
    consumer.subscribe([args.topic])
    seen = OrderedDict()
    counts = {"events": 0, "duplicates": 0, "forgotten": 0}
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
                    fields, locked = open_section(client, provider, envelope, args.department, local, subject_keys)
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
                    if locked and locked[0] == "forgotten":
                        counts["forgotten"] += 1
            if not duplicate:
                counts["events"] += 1
            consumer.store_offsets(message=msg)
            if msg.partition() in remaining and msg.offset() + 1 >= remaining[msg.partition()]:
                del remaining[msg.partition()]
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()  # commits the stored offsets
        subject_keys.consumer.close()
    print(f"[consume.py] {counts['events']} events, {counts['duplicates']} duplicates dropped, {counts['forgotten']} of forgotten people", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
