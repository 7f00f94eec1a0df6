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
import json
import logging
import sys
import uuid
from collections import OrderedDict

import aws_encryption_sdk
from aws_encryption_sdk import CommitmentPolicy
from confluent_kafka import Consumer, KafkaException, TopicPartition

# Beside this file: the department's keys (local or KMS) and lock reasons; the keys topic (v2, subject keys).
from department_keys import KMS_ERRORS, LocalKeys, kms_keys, local_sealed, lock_for
from subject_keys import SubjectKey, SubjectKeys, subject_key_ids

SCHEMAS = ("sealpost.envelope/1", "sealpost.envelope/2")


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
