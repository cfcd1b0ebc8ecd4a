/** Counters of one {@link KafkaTransport}, since it was created. */
export interface KafkaTransportStats {
  /** Batches handed to `publish` and acknowledged by Kafka. */
  readonly publishedBatches: number;
  /** Kafka messages those batches were split into (one per topic partition touched). */
  readonly publishedMessages: number;
  /** Payload bytes of those messages (encoded batches, without headers). */
  readonly publishedBytes: number;
  /** Messages whose handler resolved (acknowledged). */
  readonly delivered: number;
  /** Messages of this node's own origin, skipped without applying (per-table layout). */
  readonly skippedOwnOrigin: number;
  /** Messages without a signature, rejected to the dead-letter topic. */
  readonly rejectedUnsigned: number;
  /** Messages with a wrong signature, an untrusted key, or a payload whose origin differs from the signed one. */
  readonly rejectedForged: number;
  /** Signed messages whose payload could not be decoded (or an unknown codec version). */
  readonly undecodable: number;
  /** Handler attempts that failed and were retried. */
  readonly handlerRetries: number;
  /** Messages written to the dead-letter topic, for any reason. */
  readonly deadLettered: number;
  /** Offset commits made after handled messages. */
  readonly commits: number;
  /** Commits refused by the broker (usually a rebalance); the messages are redelivered, never skipped. */
  readonly commitFailures: number;
  /** Times fetching was paused because too many fetched messages were unacknowledged. */
  readonly backpressurePauses: number;
  /** Fetched batches abandoned part-way by a rebalance, seek or stop. */
  readonly abandonedBatches: number;
}

/** The mutable counters behind {@link KafkaTransportStats}. */
export type KafkaTransportCounters = { -readonly [K in keyof KafkaTransportStats]: number };

/** Fresh counters, all zero. */
export function emptyCounters(): KafkaTransportCounters {
  return {
    publishedBatches: 0,
    publishedMessages: 0,
    publishedBytes: 0,
    delivered: 0,
    skippedOwnOrigin: 0,
    rejectedUnsigned: 0,
    rejectedForged: 0,
    undecodable: 0,
    handlerRetries: 0,
    deadLettered: 0,
    commits: 0,
    commitFailures: 0,
    backpressurePauses: 0,
    abandonedBatches: 0,
  };
}
