"""Subject keys for the Python recipe (consume.py): envelope version 2 (crypto-shredding, docs/forget.md).

A v2 section opens in two stock-ESDK steps: (1) the person's subject key, an ESDK message sealed under the
department's key, read from the compacted keys topic; (2) the section, under a raw AES keyring holding that key.
A key is its whole Kafka key "key/SUBJECT/DEPARTMENT/KEYID", never its id alone: anyone who may write the keys topic
could otherwise claim another person's key id, and a record there that is not JSON is skipped, never fatal.
"""
import io
import json
import re
import time
import uuid
from datetime import datetime, timedelta, timezone

from aws_encryption_sdk.identifiers import EncryptionKeyType, WrappingAlgorithm
from aws_encryption_sdk.internal.crypto.wrapping_keys import WrappingKey
from aws_encryption_sdk.key_providers.raw import RawMasterKeyProvider
from aws_encryption_sdk.internal.formatting.deserialize import deserialize_header
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

KEY_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")
SUBJECT_KEY_NAMESPACE = "sealpost-subject"


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
    """An ISO 8601 time as the service writes it (…Z), always with a zone (none written = UTC), or None."""
    try:
        parsed = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


MARKER_SKEW = timedelta(hours=1)  # a forget marker dated later than this ahead of our clock was not written by a forget


class SubjectKeys:
    """The compacted keys topic as this consumer read it: sealed key records by key id, each under its whole Kafka key
    ("key/SUBJECT/DEPT/KEYID"), forget markers by subject ("forgotten/SUBJECT"), and the keys it saw tombstoned. Read
    from the beginning before the first record, and again (at most every 2 s) when a record names a key it does not
    hold yet. A record that is not ours or not JSON is skipped; one record never stops the reader."""

    def __init__(self, brokers, topic):
        self.topic, self.keys, self.forgotten, self.shredded = topic, {}, {}, set()
        self.problem, self.last, self.assigned = None, 0.0, False
        self.consumer = Consumer({"bootstrap.servers": brokers, "group.id": f"sealpost-keys-reader-{uuid.uuid4().hex[:12]}", "enable.auto.commit": False})

    def find(self, key_id, department, subject):
        """The live record of this very key (key id, department and person), or None."""
        return next((r for r in self.keys.get(key_id, []) if (r["department"], r["subject"]) == (department, subject)), None)

    def apply(self, key, value):
        parts = (key or b"").decode("utf-8", "replace").split("/")
        try:
            loaded = json.loads(value) if value else None
        except ValueError:
            return  # not JSON: not ours
        if parts[0] == "key" and len(parts) == 4 and KEY_ID.match(parts[3]):
            subject, department, key_id = parts[1:]
            held = [r for r in self.keys.get(key_id, []) if (r["department"], r["subject"]) != (department, subject)]
            if not value:
                self.keys[key_id] = held  # a tombstone: this key (and no other person's) is shredded
                self.shredded.add((subject, department, key_id))
            elif (subject, department, key_id) not in self.shredded and isinstance(loaded, dict) and (
                loaded.get("schema"), loaded.get("subject"), loaded.get("department"), loaded.get("keyId")
            ) == ("sealpost.subject-key/1", subject, department, key_id):
                self.keys[key_id] = held + [loaded]  # back after its tombstone: never written by the service, skipped
        elif parts[0] == "forgotten" and len(parts) == 2 and parts[1]:
            if not value:
                self.forgotten.pop(parts[1], None)
            elif isinstance(loaded, dict) and loaded.get("subject") == parts[1] and isinstance(loaded.get("forgottenAt"), str):
                at = parse_time(loaded["forgottenAt"])
                if at is None or at <= datetime.now(timezone.utc) + MARKER_SKEW:
                    self.forgotten[parts[1]] = loaded["forgottenAt"]

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
        subject = envelope.get("recipient")
        if not isinstance(subject, str):
            return None, ("context_mismatch", f"the {department} section names subject key {key_id} but the record names no subject: do not trust it")
        record = self.find(key_id, department, subject)
        if record is None:
            self.catch_up()  # written just before this record, perhaps
            record = self.find(key_id, department, subject)
        forgotten_at = self.forgotten.get(subject)
        made = parse_time(record["createdAt"]) if record else None
        forgot = parse_time(forgotten_at) if forgotten_at else None
        # A key made before the forget marker is forgotten even while its tombstone is on its way.
        if forgotten_at and (record is None or made is None or forgot is None or made <= forgot):
            if record is not None:
                return None, ("forgotten", f"forgotten on {forgotten_at[:10]}: a forget marker names this person, but their subject key record is still on {self.topic}: check the service's audit trail")
            return None, ("forgotten", f"forgotten on {forgotten_at[:10]}: this person's {department} fields were shredded (their subject key is gone) and nobody can open them any more")
        if record is not None:
            return record, None
        if (subject, department, key_id) in self.shredded:
            return None, ("forgotten", f"forgotten: the subject key of this {department} section was shredded on {self.topic}")
        if self.keys.get(key_id):
            return None, ("context_mismatch", f"the {department} section names a subject key of another department or person: it was moved; do not trust it")
        why = self.problem or f"it is not on {self.topic}: check --keys-topic"
        return None, ("subject_key_missing", f"this {department} section is sealed under subject key {key_id}, which this reader does not hold: {why}")


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
