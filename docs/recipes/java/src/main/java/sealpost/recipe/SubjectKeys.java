package sealpost.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The compacted keys topic of version-2 envelopes (crypto-shredding) as this consumer read it: sealed subject-key
 * records by their whole Kafka key "key/SUBJECT/DEPARTMENT/KEYID" (never by key id alone: anyone who may write the
 * keys topic could otherwise claim another person's key id), forget markers by subject ("forgotten/SUBJECT") and
 * the keys seen tombstoned (a key record written again after its tombstone stays shredded). Read from the beginning before the first record, and again (at most every 2 s) when a
 * record names a key it does not hold yet. Opening a section under one of these keys: SectionOpener.openV2.
 */
final class SubjectKeys implements AutoCloseable {
  private final ObjectMapper json;
  private final String topic;
  private final KafkaConsumer<byte[], byte[]> consumer;
  /** Key id -> the live records claiming it (one, unless a record was moved or forged). */
  final Map<String, List<JsonNode>> keys = new HashMap<>();
  final Map<String, String> forgotten = new HashMap<>();
  final Set<String> shredded = new HashSet<>();
  String problem;
  private boolean assigned;
  private long last;

  SubjectKeys(ObjectMapper json, String brokers, String topic) {
    this.json = json;
    this.topic = topic;
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "sealpost-java-keys");
    props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
    // A reader must never create the keys topic (it would not be compacted): the service creates it.
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    this.consumer = new KafkaConsumer<>(props);
  }

  String topic() {
    return topic;
  }

  /** Reads the keys topic up to its current end (a compacted partition's tail may be gone: 1.5 s of silence is the end). */
  void catchUp(boolean force) {
    if (!force && System.currentTimeMillis() - last < 2_000) return;
    last = System.currentTimeMillis();
    List<PartitionInfo> infos = consumer.partitionsFor(topic);
    if (infos == null || infos.isEmpty()) {
      problem = "the keys topic " + topic + " does not exist on these brokers (check --keys-topic)";
      return;
    }
    problem = null;
    List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
    if (!assigned) {
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      assigned = true;
    }
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    long quiet = System.currentTimeMillis();
    while (System.currentTimeMillis() - quiet < 1_500 && partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
      var batch = consumer.poll(Duration.ofMillis(250));
      if (!batch.isEmpty()) quiet = System.currentTimeMillis();
      for (ConsumerRecord<byte[], byte[]> r : batch) apply(r.key(), r.value());
    }
  }

  private void apply(byte[] rawKey, byte[] value) {
    String[] parts = (rawKey == null ? "" : new String(rawKey, StandardCharsets.UTF_8)).split("/", -1);
    try {
      if (parts.length == 4 && parts[0].equals("key") && parts[3].matches("[A-Za-z0-9_-]{22}")) {
        String whole = parts[1] + "/" + parts[2] + "/" + parts[3];
        if (value == null || value.length == 0) {
          remove(parts[3], parts[2], parts[1]); // a tombstone: this key (and no other person's) is shredded
          shredded.add(whole);
          return;
        }
        JsonNode r = json.readTree(value);
        if (!shredded.contains(whole) && "sealpost.subject-key/1".equals(r.path("schema").asText()) && parts[1].equals(r.path("subject").asText())
            && parts[2].equals(r.path("department").asText()) && parts[3].equals(r.path("keyId").asText())) {
          remove(parts[3], parts[2], parts[1]);
          keys.computeIfAbsent(parts[3], k -> new ArrayList<>()).add(r);
        }
      } else if (parts.length == 2 && parts[0].equals("forgotten") && !parts[1].isEmpty()) {
        if (value == null || value.length == 0) forgotten.remove(parts[1]);
        else {
          JsonNode m = json.readTree(value);
          // A marker dated over an hour ahead of this clock was not written by a forget: skipped.
          if (parts[1].equals(m.path("subject").asText()) && m.path("forgottenAt").isTextual() && !after(m.get("forgottenAt").asText(), Instant.now().plusSeconds(3600).toString())) {
            forgotten.put(parts[1], m.get("forgottenAt").asText());
          }
        }
      }
    } catch (java.io.IOException e) {
      // Not JSON: not ours; skipped.
    }
  }

  private void remove(String keyId, String department, String subject) {
    List<JsonNode> list = keys.get(keyId);
    if (list == null) return;
    list.removeIf(r -> department.equals(r.path("department").asText()) && subject.equals(r.path("subject").asText()));
    if (list.isEmpty()) keys.remove(keyId);
  }

  private JsonNode find(String keyId, String department, String subject) {
    for (JsonNode r : keys.getOrDefault(keyId, List.of())) {
      if (department.equals(r.path("department").asText()) && subject.equals(r.path("subject").asText())) return r;
    }
    return null;
  }

  /** The key record to open with, or why not (reasons as the kit's): forgotten, subject_key_missing, context_mismatch. */
  Object verdict(JsonNode envelope, String department, String keyId) {
    String subject = envelope.path("recipient").isTextual() ? envelope.get("recipient").asText() : null;
    if (subject == null) {
      return SectionOpener.Opened.locked("context_mismatch", "the " + department + " section names subject key " + keyId + " but the record names no subject: do not trust it");
    }
    JsonNode record = find(keyId, department, subject);
    if (record == null) {
      catchUp(false); // written just before this record, perhaps
      record = find(keyId, department, subject);
    }
    String forgottenAt = forgotten.get(subject);
    // A key made before the forget marker is forgotten even while its tombstone is on its way.
    if (forgottenAt != null && (record == null || !after(record.path("createdAt").asText(), forgottenAt))) {
      String day = forgottenAt.substring(0, Math.min(10, forgottenAt.length()));
      if (record != null) {
        return SectionOpener.Opened.locked("forgotten", "forgotten on " + day + ": a forget marker names this person, but their subject key record is still on " + topic + ": check the service's audit trail");
      }
      return SectionOpener.Opened.locked("forgotten", "forgotten on " + day + ": this person's " + department + " fields were shredded (their subject key is gone) and nobody can open them any more");
    }
    if (record != null) return record;
    if (shredded.contains(subject + "/" + department + "/" + keyId)) {
      return SectionOpener.Opened.locked("forgotten", "forgotten: the subject key of this " + department + " section was shredded on " + topic);
    }
    if (keys.containsKey(keyId)) {
      return SectionOpener.Opened.locked("context_mismatch", "the " + department + " section names a subject key of another department or person: it was moved; do not trust it");
    }
    String why = problem != null ? problem : "it is not on " + topic + ": check --keys-topic";
    return SectionOpener.Opened.locked("subject_key_missing", "this " + department + " section is sealed under subject key " + keyId + ", which this reader does not hold: " + why);
  }

  private static boolean after(String made, String forgot) {
    try {
      return Instant.parse(made).isAfter(Instant.parse(forgot));
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    consumer.close();
  }
}
