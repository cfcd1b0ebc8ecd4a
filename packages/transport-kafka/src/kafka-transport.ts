import {
  BATCH_CODEC_VERSION,
  type ChangeBatch,
  ConnectionError,
  currentTraceContext,
  encodeBatch,
  type SubscribeOptions,
  type Transport,
  WorkerSyncError,
} from '@worker-sync/core';
import { type Admin, Kafka, type Message, Partitioners, type Producer } from 'kafkajs';
import { partitionBatch } from './batch-partitioning.js';
import { type BatchAuthenticator, createBatchAuthenticator } from './batch-signing.js';
import { FetchBackpressure } from './fetch-backpressure.js';
import { type KafkaTransportConfig, type KafkaTransportOptions, parseKafkaTransportConfig } from './kafka-config.js';
import { createEachBatch } from './kafka-consumer-loop.js';
import { KafkaDeadLetterWriter } from './kafka-dead-letters.js';
import { writeChangeHeaders } from './kafka-headers.js';
import { kafkaLogLevel, redactingLogCreator } from './kafka-logger.js';
import { KafkaSubscription } from './kafka-subscription.js';
import { ensureTopics, KafkaTopicLayout } from './kafka-topics.js';
import { emptyCounters, type KafkaTransportStats } from './kafka-transport-stats.js';

/**
 * The worker-sync {@link Transport} over Kafka (kafkajs).
 *
 * Publishing splits a batch into one signed message per topic partition (partition = murmur2 of the row identity,
 * so every change of a row stays on one partition, in order) and resolves only once Kafka acknowledged every
 * message (idempotent producer, `acks=-1`). Subscribing joins the consumer group of the receiving node and commits
 * an offset only after the handler resolved; unverifiable or unappliable batches go to the node's dead-letter
 * topic and the partition keeps flowing.
 *
 * @example
 * ```ts
 * const transport = new KafkaTransport({
 *   brokers: ['127.0.0.1:9092'],
 *   signing: { algorithm: 'hmac-sha256', keyId: 'k1', keys: { k1: process.env.SYNC_KEY! } },
 *   topics: { nodes: ['eu-1', 'us-1'] },
 * });
 * const sub = await transport.subscribe({ node: 'eu-1', handle: (batch) => engine.applyRemote(batch) });
 * await transport.publish(batch);
 * ```
 */
export class KafkaTransport implements Transport {
  private readonly config: KafkaTransportConfig;
  private readonly kafka: Kafka;
  private readonly layout: KafkaTopicLayout;
  private readonly auth: BatchAuthenticator;
  private readonly counters = emptyCounters();
  private readonly subscriptions = new Set<KafkaSubscription>();
  private readonly partitionCounts = new Map<string, { count: number; at: number }>();
  private readonly readyTopics = new Set<string>();
  private connection: Promise<{ producer: Producer; admin: Admin }> | undefined;

  constructor(options: KafkaTransportOptions) {
    this.config = parseKafkaTransportConfig(options);
    this.layout = new KafkaTopicLayout(this.config.topics);
    this.auth = createBatchAuthenticator(this.config.signing);
    this.kafka = new Kafka({
      clientId: this.config.clientId,
      brokers: this.config.brokers,
      ssl: this.config.ssl as ConstructorParameters<typeof Kafka>[0]['ssl'],
      sasl: this.config.sasl,
      connectionTimeout: this.config.connectionTimeoutMs,
      requestTimeout: this.config.requestTimeoutMs,
      logLevel: kafkaLogLevel(this.config.logLevel),
      logCreator: redactingLogCreator(this.config.logger),
    });
  }

  /** The topic layout in use (topic names per node and table). */
  get topics(): KafkaTopicLayout {
    return this.layout;
  }

  /** Counters since creation: published, delivered, rejected (unsigned, forged, undecodable), dead-lettered. */
  stats(): KafkaTransportStats {
    return { ...this.counters };
  }

  /** Resolves once Kafka acknowledged every message of the batch (all in-sync replicas). */
  async publish(batch: ChangeBatch): Promise<void> {
    if (batch.events.length === 0) return;
    const { producer, admin } = await this.connect();
    try {
      const topics = [...new Set(batch.events.map((e) => this.layout.changeTopic(e)))];
      await this.prepareTopics(admin, topics);
      const parts = partitionBatch(batch, {
        topicOf: (event) => this.layout.changeTopic(event),
        partitionsOf: (topic) => this.partitionCounts.get(topic)?.count ?? 1,
      });
      const byTopic = new Map<string, Message[]>();
      let bytes = 0;
      for (const part of parts) {
        const messages = byTopic.get(part.topic) ?? [];
        const message = this.message(part.batch, part.key, part.partition);
        bytes += (message.value as Buffer).length;
        messages.push(message);
        byTopic.set(part.topic, messages);
      }
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      this.counters.publishedBatches++;
      this.counters.publishedMessages += parts.length;
      this.counters.publishedBytes += bytes;
    } catch (error) {
      if (error instanceof WorkerSyncError) throw error;
      throw new ConnectionError(
        `publishing batch ${batch.id} (position ${batch.position}) to Kafka failed: ${kafkaReason(error)}`,
        { cause: error },
      );
    }
  }

  /**
   * Joins the consumer group of `options.node` (default `<prefix>.<node>`) on the other nodes' topics and delivers
   * their batches to `options.handle`, one at a time per partition.
   */
  async subscribe(options: SubscribeOptions): Promise<KafkaSubscription> {
    const { producer, admin } = await this.connect();
    const topics = this.layout.subscribedTopics(options.node);
    const deadLetterTopic = this.layout.deadLetterTopic(options.node);
    await ensureTopics(admin, this.config.topics, [
      ...topics.map((topic) => ({ topic })),
      { topic: deadLetterTopic, deadLetters: true },
    ]);
    const groupId = this.config.consumer.groupId ?? this.layout.groupId(options.node);
    const consumer = this.kafka.consumer({
      groupId,
      sessionTimeout: this.config.consumer.sessionTimeoutMs,
      heartbeatInterval: this.config.consumer.heartbeatIntervalMs,
      allowAutoTopicCreation: false,
    });
    const subscription = new KafkaSubscription(consumer, admin, topics, groupId, () =>
      this.subscriptions.delete(subscription),
    );
    const backpressure = new FetchBackpressure(
      this.config.consumer.maxInFlight,
      { pause: (tp) => subscription.pausePartition(tp), resume: (tp) => subscription.resumePartition(tp) },
      () => this.counters.backpressurePauses++,
    );
    try {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: this.config.consumer.fromBeginning });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.config.consumer.concurrency,
        eachBatch: createEachBatch({
          receiver: options.node,
          handle: options.handle,
          auth: this.auth,
          deadLetters: new KafkaDeadLetterWriter(producer, deadLetterTopic),
          backpressure,
          counters: this.counters,
          options: this.config.consumer,
          closing: () => subscription.closing,
        }),
      });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw new ConnectionError(
        `subscribing node "${options.node}" to ${topics.join(', ')} failed: ${kafkaReason(error)}`,
        {
          cause: error,
        },
      );
    }
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Closes every subscription (in-flight batches finish and are committed), then the producer and admin clients. */
  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    const connection = this.connection;
    this.connection = undefined;
    if (connection === undefined) return;
    const { producer, admin } = await connection.catch(() => ({ producer: undefined, admin: undefined }));
    await Promise.all([producer?.disconnect(), admin?.disconnect()]);
  }

  private message(batch: ChangeBatch, key: string, partition: number): Message {
    const value = Buffer.from(encodeBatch(batch));
    const codecVersion = String(BATCH_CODEC_VERSION);
    const signature = this.auth.sign(batch.origin, codecVersion, value);
    const trace = batch.trace ?? currentTraceContext() ?? {};
    const headers = writeChangeHeaders({ codecVersion, origin: batch.origin, batchId: batch.id, signature, trace });
    return { key, value, partition, headers };
  }

  private connect(): Promise<{ producer: Producer; admin: Admin }> {
    this.connection ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      const admin = this.kafka.admin();
      await Promise.all([producer.connect(), admin.connect()]);
      return { producer, admin };
    })().catch((error: unknown) => {
      this.connection = undefined;
      throw new ConnectionError(`connecting to Kafka ${this.config.brokers.join(',')} failed: ${kafkaReason(error)}`, {
        cause: error,
      });
    });
    return this.connection;
  }

  /** Creates missing topics once and caches their partition counts for keyed partitioning. */
  private async prepareTopics(admin: Admin, topics: readonly string[]): Promise<void> {
    const now = Date.now();
    const stale = topics.filter((t) => {
      const known = this.partitionCounts.get(t);
      return known === undefined || now - known.at > this.config.metadataMaxAgeMs;
    });
    if (stale.length === 0) return;
    const fresh = stale.filter((t) => !this.readyTopics.has(t));
    await ensureTopics(
      admin,
      this.config.topics,
      fresh.map((topic) => ({ topic })),
    );
    for (const t of fresh) this.readyTopics.add(t);
    const metadata = await admin.fetchTopicMetadata({ topics: stale });
    for (const topic of metadata.topics) {
      this.partitionCounts.set(topic.name, { count: topic.partitions.length, at: now });
    }
  }
}

/** A kafkajs failure as text: its type and message, which name brokers and topics but never credentials. */
function kafkaReason(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return 'unknown error';
}
