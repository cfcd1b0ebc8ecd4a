export { partitionForKey } from './batch-partitioning.js';
export {
  type BatchAuthenticator,
  type BatchSignature,
  createBatchAuthenticator,
  type SignedFields,
  signingInput,
  type Verification,
  type VerificationFailure,
} from './batch-signing.js';
export {
  type KafkaLogEntry,
  type KafkaSigningConfig,
  type KafkaTransportConfig,
  type KafkaTransportOptions,
  kafkaTransportConfigSchema,
  parseKafkaTransportConfig,
} from './kafka-config.js';
export {
  DEAD_LETTER_HEADER,
  type DeadLetterReason,
  type KafkaDeadLetter,
  readDeadLetter,
} from './kafka-dead-letters.js';
export { HEADER } from './kafka-headers.js';
export { KafkaSubscription, type ReplayFrom } from './kafka-subscription.js';
export { KafkaTopicLayout } from './kafka-topics.js';
export { KafkaTransport } from './kafka-transport.js';
export type { KafkaTransportStats } from './kafka-transport-stats.js';
