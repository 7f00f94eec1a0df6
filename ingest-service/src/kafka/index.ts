export { createKafka, type KafkaSettings } from './client.js';
export { createKafkaSink, recordBytes, recordBytesAtMost, type KafkaSinkOptions, type RecordSink, type SinkRecord } from './sink.js';
export { pinoLogCreator } from './log-creator.js';
export { KAFKA_ERRORS } from './errors.js';
export { startWorkerSink } from './worker-sink.js';
