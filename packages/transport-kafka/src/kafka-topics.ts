import { type ChangeEvent, ConfigurationError, ConnectionError, type NodeId, retry } from '@worker-sync/core';
import type { Admin } from 'kafkajs';
import type { KafkaTransportConfig } from './kafka-config.js';

const TOPIC_PART = /^[A-Za-z0-9_-]+$/;

/**
 * Where changes travel, by layout.
 *
 * - `per-node` (default): `<prefix>.<origin>.changes`. One topic per origin node; a node consumes every other
 *   node's topic, so it never even fetches its own changes.
 * - `per-table`: `<prefix>.table.<namespace>.<name>`. One topic per table shared by all nodes; a consumer skips its
 *   own batches by the origin header without decoding them. Useful when tables need their own retention or
 *   partition counts.
 *
 * Dead letters of a receiving node go to `<prefix>.<node>.dead-letters`.
 *
 * @example
 * ```ts
 * const layout = new KafkaTopicLayout(config.topics);
 * layout.changeTopic(event); // 'worker-sync.eu-1.changes'
 * ```
 */
export class KafkaTopicLayout {
  constructor(private readonly topics: KafkaTransportConfig['topics']) {}

  /** The topic a change is published to. */
  changeTopic(event: Pick<ChangeEvent, 'origin' | 'table'>): string {
    if (this.topics.layout === 'per-node') return this.nodeTopic(event.origin);
    return this.tableTopic(event.table.namespace, event.table.name);
  }

  /** The topics a receiving node consumes. */
  subscribedTopics(node: NodeId): string[] {
    if (this.topics.layout === 'per-node') {
      const peers = this.topics.nodes.filter((n) => n !== node);
      if (peers.length === 0) {
        throw new ConfigurationError(`topics.nodes: list the other nodes of the mesh for node "${node}" to consume`);
      }
      return peers.map((peer) => this.nodeTopic(peer));
    }
    if (this.topics.tables.length === 0) {
      throw new ConfigurationError(
        'topics.tables: list the tables (namespace.name) to consume in the per-table layout',
      );
    }
    return this.topics.tables.map((t) => {
      const [namespace = '', name = ''] = t.split('.');
      return this.tableTopic(namespace, name);
    });
  }

  /** The dead-letter topic of a receiving node. */
  deadLetterTopic(node: NodeId): string {
    return `${this.topics.prefix}.${part(node, 'node id')}.dead-letters`;
  }

  /** The default consumer group of a receiving node. */
  groupId(node: NodeId): string {
    return `${this.topics.prefix}.${part(node, 'node id')}`;
  }

  private nodeTopic(node: NodeId): string {
    return `${this.topics.prefix}.${part(node, 'node id')}.changes`;
  }

  private tableTopic(namespace: string, name: string): string {
    return `${this.topics.prefix}.table.${part(namespace, 'namespace')}.${part(name, 'table name')}`;
  }
}

function part(value: string, what: string): string {
  if (!TOPIC_PART.test(value)) {
    throw new ConfigurationError(`${what} "${value}" cannot be part of a Kafka topic name (allowed: A-Z a-z 0-9 _ -)`);
  }
  return value;
}

/**
 * Creates missing topics with the configured partitions, replication and retention (existing ones are left as they
 * are), then waits until every partition of every topic has a leader: another node may have created a topic a
 * moment ago, and producing or subscribing before its metadata settles fails with UNKNOWN_TOPIC_OR_PARTITION.
 */
export async function ensureTopics(
  admin: Admin,
  config: KafkaTransportConfig['topics'],
  topics: readonly { readonly topic: string; readonly deadLetters?: boolean }[],
): Promise<void> {
  if (topics.length === 0) return;
  if (config.create) await createMissing(admin, config, topics);
  const names = topics.map((t) => t.topic);
  await retry(
    async () => {
      const metadata = await admin.fetchTopicMetadata({ topics: names }).catch((error: unknown) => {
        throw new ConnectionError(`topics ${names.join(', ')} are not available yet`, { cause: error });
      });
      const leaderless = metadata.topics.find(
        (t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0),
      );
      if (leaderless !== undefined)
        throw new ConnectionError(`topic ${leaderless.name} has partitions without a leader`);
    },
    { maxAttempts: 20, initialDelayMs: 100, maxDelayMs: 1_000 },
  );
}

async function createMissing(
  admin: Admin,
  config: KafkaTransportConfig['topics'],
  topics: readonly { readonly topic: string; readonly deadLetters?: boolean }[],
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.topic));
  if (missing.length === 0) return;
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((t) => ({
      topic: t.topic,
      numPartitions: config.partitions,
      replicationFactor: config.replicationFactor,
      configEntries: [
        { name: 'retention.ms', value: String(t.deadLetters ? config.deadLetterRetentionMs : config.retentionMs) },
      ],
    })),
  });
}
