import { parseConfig } from '@worker-sync/core';
import type { SASLOptions } from 'kafkajs';
import { z } from 'zod';

/** Characters Kafka accepts in a topic name; node ids and table names become parts of topic names. */
const TOPIC_PART = /^[A-Za-z0-9_-]+$/;

const secret = z.union([z.string().min(16), z.instanceof(Uint8Array).refine((b) => b.length >= 16)], {
  error: 'must be a string or Uint8Array of at least 16 bytes',
});

const hmacSigning = z.object({
  algorithm: z.literal('hmac-sha256'),
  /** Key id written into each batch's headers; must name an entry of `keys`. */
  keyId: z.string().min(1),
  /** Shared secrets by key id: several entries let keys rotate (old ones still verify). */
  keys: z.record(z.string().min(1), secret),
});

const ed25519Signing = z.object({
  algorithm: z.literal('ed25519'),
  /** Key id of this node's private key, written into each batch's headers. */
  keyId: z.string().min(1),
  /** This node's Ed25519 private key (PEM, PKCS#8). */
  privateKey: z.string().min(1),
  /** Trusted public keys by key id, each bound to the one node allowed to sign with it (PEM, SPKI). */
  publicKeys: z.record(z.string().min(1), z.object({ node: z.string().min(1), publicKey: z.string().min(1) })),
});

const topics = z
  .object({
    /**
     * `per-node`: every origin node publishes to `<prefix>.<node>.changes` and a node consumes the other nodes'
     * topics (listed in `nodes`). `per-table`: every node publishes a table's changes to
     * `<prefix>.table.<namespace>.<name>` and a node consumes the topics of `tables`, skipping its own batches.
     */
    layout: z.enum(['per-node', 'per-table']).default('per-node'),
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/)
      .default('worker-sync'),
    /** Every node of the mesh (per-node layout): a node subscribes to the topics of all the others. */
    nodes: z
      .array(z.string().regex(TOPIC_PART, 'node ids used in topic names may hold only A-Z a-z 0-9 _ -'))
      .default([]),
    /** Tables to consume as `namespace.name` (per-table layout). */
    tables: z.array(z.string().regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'expected namespace.name')).default([]),
    /** Partitions of topics this transport creates. Changes of one row always land on one partition. */
    partitions: z.number().int().min(1).default(6),
    /** Replication factor of created topics; use 3 on a production cluster. */
    replicationFactor: z.number().int().min(1).default(1),
    /** `retention.ms` of created change topics; -1 keeps changes forever. Default seven days. */
    retentionMs: z
      .number()
      .int()
      .min(-1)
      .default(7 * 24 * 3_600_000),
    /** `retention.ms` of created dead-letter topics. Default thirty days. */
    deadLetterRetentionMs: z
      .number()
      .int()
      .min(-1)
      .default(30 * 24 * 3_600_000),
    /** Create missing topics with the admin client; turn off where topics are provisioned by operators. */
    create: z.boolean().default(true),
  })
  .prefault({});

const consumer = z
  .object({
    /** Consumer group id; default `<prefix>.<receiving node>`. */
    groupId: z.string().min(1).optional(),
    /** Partitions handled at the same time (each partition stays strictly ordered). */
    concurrency: z.number().int().min(1).default(2),
    /** Fetched messages not yet acknowledged above which fetching pauses; resumes below half of it. */
    maxInFlight: z.number().int().min(1).default(1000),
    /** Handler attempts before a batch goes to the dead-letter topic. */
    attempts: z.number().int().min(1).default(5),
    /** First retry delay; later delays grow exponentially with full jitter. */
    retryDelayMs: z.number().int().min(0).default(200),
    /** Upper bound of one retry delay. */
    maxRetryDelayMs: z.number().int().min(0).default(5_000),
    /** Acknowledged messages between offset commits inside one fetched batch (the end of a batch always commits). */
    commitEvery: z.number().int().min(1).default(100),
    /** Where a new group starts: from the earliest retained change (true) or only new ones. */
    fromBeginning: z.boolean().default(true),
    sessionTimeoutMs: z.number().int().min(1_000).default(30_000),
    heartbeatIntervalMs: z.number().int().min(100).default(3_000),
  })
  .prefault({});

/**
 * Configuration of a {@link KafkaTransport}. `ssl` and `sasl` are handed to kafkajs unchanged; secrets in them
 * never reach errors or logs.
 */
export const kafkaTransportConfigSchema = z.object({
  /** Bootstrap brokers as `host:port`. */
  brokers: z.array(z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port')).min(1),
  clientId: z.string().min(1).default('worker-sync'),
  /** Batch authenticity: every published batch is signed, every consumed batch verified. */
  signing: z.discriminatedUnion('algorithm', [hmacSigning, ed25519Signing]),
  topics,
  consumer,
  /** kafkajs `ssl`: `true` or node `tls.ConnectionOptions`. */
  ssl: z.union([z.boolean(), z.record(z.string(), z.unknown())]).optional(),
  /** kafkajs `sasl`: `{ mechanism, ... }` (plain, scram-sha-256, scram-sha-512, aws, oauthbearer). */
  sasl: z.custom<SASLOptions>((v) => typeof v === 'object' && v !== null && 'mechanism' in v).optional(),
  connectionTimeoutMs: z.number().int().min(1).default(10_000),
  requestTimeoutMs: z.number().int().min(1).default(30_000),
  /** kafkajs log level; entries go to `logger` (default: stderr) with SASL and TLS secrets removed. */
  logLevel: z.enum(['nothing', 'error', 'warn', 'info', 'debug']).default('warn'),
  logger: z.custom<(entry: KafkaLogEntry) => void>((v) => typeof v === 'function', 'expected a function').optional(),
  /** How long the topic partition counts used for keyed partitioning are cached. */
  metadataMaxAgeMs: z.number().int().min(0).default(300_000),
});

/** A kafkajs log line after secrets were removed. */
export interface KafkaLogEntry {
  readonly level: 'error' | 'warn' | 'info' | 'debug';
  readonly namespace: string;
  readonly message: string;
  readonly extra: Readonly<Record<string, unknown>>;
}

/** Configuration accepted by {@link KafkaTransport} (defaults optional). */
export type KafkaTransportOptions = z.input<typeof kafkaTransportConfigSchema>;

/** Configuration after validation, with defaults filled in. */
export type KafkaTransportConfig = z.output<typeof kafkaTransportConfigSchema>;

/** Signing settings, one of the two algorithms. */
export type KafkaSigningConfig = KafkaTransportConfig['signing'];

/** Validates options and fills defaults; a bad field raises a `ConfigurationError` naming it (never its value). */
export function parseKafkaTransportConfig(options: KafkaTransportOptions): KafkaTransportConfig {
  return parseConfig(kafkaTransportConfigSchema, options, 'KafkaTransport');
}
