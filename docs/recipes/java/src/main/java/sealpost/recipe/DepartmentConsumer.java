package sealpost.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A department consumer in plain Java: reads a Sealpost topic, opens this department's sections with the stock
 * AWS Encryption SDK and prints one JSON line per event on stdout, in the shape of `npm run consume`:
 * {"id","type","time","source","partition","offset","clear","fields"} or "locked":{"reason","message"} instead of
 * fields. A record without a section for the department prints "fields":{} (its clear part still arrives).
 * Progress and the summary go to stderr. Exit 0 when it read what it was asked, 2 on bad arguments, 3 when Kafka or
 * the topic cannot be reached (the codes of `npm run consume` and the Python recipe).
 */
public final class DepartmentConsumer {
  private static final int DEDUPE_WINDOW = 100_000;
  private static final Set<String> ENVELOPE_SCHEMAS = Set.of("sealpost.envelope/1", "sealpost.envelope/2");

  /** Version 2's {@code keys}, when present, maps departments to key ids (strings). */
  private static boolean keysAreStrings(JsonNode keys) {
    if (keys == null) return true;
    if (!keys.isObject()) return false;
    for (JsonNode v : (Iterable<JsonNode>) keys::elements) if (!v.isTextual()) return false;
    return true;
  }

  private DepartmentConsumer() {}

  public static void main(String[] argv) {
    PrintStream err = System.err;
    Args args;
    try {
      args = Args.parse(argv);
    } catch (IllegalArgumentException e) {
      err.println("department-consumer: " + e.getMessage());
      err.println(Args.USAGE);
      System.exit(2);
      return;
    }
    try {
      System.exit(run(args, err));
    } catch (KafkaException e) {
      err.println("department-consumer: Kafka at " + args.brokers + " failed: " + e.getMessage() + "; check --brokers and that the broker is up");
      System.exit(3);
    } catch (Exception e) {
      err.println("department-consumer: " + e.getMessage());
      System.exit(2);
    }
  }

  private static int run(Args args, PrintStream err) throws Exception {
    ObjectMapper json = new ObjectMapper();
    DepartmentKeyring.Built keys = DepartmentKeyring.build(args);
    SubjectKeys subjectKeys = new SubjectKeys(json, args.brokers, args.keysTopic);
    SectionOpener opener = new SectionOpener(json, keys.keyring(), args.department, keys.missing(), args.profile, subjectKeys);
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args.brokers);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "sealpost-java-" + args.department);
    if (args.group != null) props.put(ConsumerConfig.GROUP_ID_CONFIG, args.group);

    try (subjectKeys; KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<PartitionInfo> infos = consumer.partitionsFor(args.topic);
      if (infos == null || infos.isEmpty()) {
        err.println("department-consumer: topic " + args.topic + " does not exist on " + args.brokers);
        return 3;
      }
      subjectKeys.catchUp(true); // every key record and forget marker of the keys topic, before the first record
      Map<TopicPartition, Long> end = new HashMap<>();
      if (args.group != null) {
        // A member of the group: Kafka shares the partitions among the group's running instances, the console
        // sees the member (and refuses an offset reset while it runs), and it resumes from the group's offsets.
        consumer.subscribe(List.of(args.topic), new ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> revoked) {}

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            // --until-end: the end of each partition as first given to this instance.
            if (!args.untilEnd) return;
            Map<TopicPartition, Long> fresh = consumer.endOffsets(assigned.stream().filter(p -> !end.containsKey(p)).collect(Collectors.toList()));
            end.putAll(fresh);
          }
        });
      } else {
        // Without a group: every partition, read by this one process in order per partition; nothing committed.
        List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).collect(Collectors.toList());
        consumer.assign(partitions);
        if (args.fromBeginning) consumer.seekToBeginning(partitions);
        else consumer.seekToEnd(partitions);
        if (args.untilEnd) end.putAll(consumer.endOffsets(partitions));
      }

      Map<String, Boolean> seen = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > DEDUPE_WINDOW;
        }
      };
      Map<String, Integer> counts = new HashMap<>();
      while (!args.untilEnd || !reachedEnd(consumer, end, args.group != null)) {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
        for (ConsumerRecord<byte[], byte[]> record : batch) {
          String outcome = handle(record, json, opener, seen);
          counts.merge(outcome, 1, Integer::sum);
        }
        System.out.flush();
        if (args.group != null && !batch.isEmpty()) consumer.commitSync();
      }
      err.println("department-consumer: " + args.department + " read " + args.topic + ": " + counts);
    }
    return 0;
  }

  /** True once every partition this instance holds is read up to its end seen at start (a group member: its share). */
  private static boolean reachedEnd(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end, boolean inGroup) {
    Set<TopicPartition> held = consumer.assignment();
    // A group member holds nothing until its first poll has joined the group.
    if (inGroup && held.isEmpty()) return false;
    for (TopicPartition p : held) {
      Long last = end.get(p);
      if (last != null && consumer.position(p) < last) return false;
    }
    return true;
  }

  /** Prints one line for the record; returns what happened to it, for the summary. */
  private static String handle(ConsumerRecord<byte[], byte[]> record, ObjectMapper json, SectionOpener opener, Map<String, Boolean> seen) throws Exception {
    JsonNode envelope;
    try {
      envelope = record.value() == null ? null : json.readTree(new String(record.value(), StandardCharsets.UTF_8));
    } catch (Exception e) {
      envelope = null;
    }
    if (envelope == null || !envelope.path("id").isTextual() || !ENVELOPE_SCHEMAS.contains(envelope.path("schema").asText()) || !keysAreStrings(envelope.get("keys"))) {
      // Reported, never skipped silently: whoever produced it must hear about it.
      ObjectNode line = json.createObjectNode();
      line.putNull("id");
      line.putNull("type");
      line.putNull("time");
      line.putNull("source");
      line.put("partition", record.partition());
      line.put("offset", Long.toString(record.offset()));
      line.putObject("clear");
      ObjectNode locked = line.putObject("locked");
      locked.put("reason", "malformed");
      locked.put("message", "record " + record.partition() + ":" + record.offset() + " is not a Sealpost envelope (sealpost.envelope/1 or /2 JSON with an id); look at its producer");
      System.out.println(json.writeValueAsString(line));
      return "locked_malformed";
    }
    String id = envelope.get("id").asText();
    // Delivery into Kafka is at least once: the same envelope id can arrive twice; print it once.
    if (seen.put(id, true) != null) return "duplicate";
    ObjectNode line = json.createObjectNode();
    line.put("id", id);
    line.set("type", envelope.path("type"));
    line.set("time", envelope.path("time"));
    line.set("source", envelope.path("source"));
    line.put("partition", record.partition());
    line.put("offset", Long.toString(record.offset()));
    line.set("clear", envelope.path("clear"));
    SectionOpener.Opened opened = opener.open(envelope);
    String outcome;
    if (opened == null) {
      line.set("fields", json.createObjectNode());
      outcome = "no_section";
    } else if (opened.fields() != null) {
      line.set("fields", opened.fields());
      outcome = "opened";
    } else {
      ObjectNode locked = line.putObject("locked");
      locked.put("reason", opened.reason());
      locked.put("message", opened.message());
      outcome = "locked_" + opened.reason();
    }
    System.out.println(json.writeValueAsString(line));
    return outcome;
  }
}
