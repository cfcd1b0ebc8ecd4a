import { type ChangeBatch, type ChangeEvent, rowIdentity } from '@worker-sync/core';
import { Partitioners } from 'kafkajs';

/** One message of a split batch: a valid ChangeBatch holding only changes of rows that hash to `partition`. */
export interface PartitionedBatch {
  readonly topic: string;
  readonly partition: number;
  /** The row identity of the first change: kafkajs' DefaultPartitioner maps it to `partition` as well. */
  readonly key: string;
  readonly batch: ChangeBatch;
}

/** How a batch's changes are placed: the topic of a change and the partition count of a topic. */
export interface PartitionPlan {
  topicOf(event: ChangeEvent): string;
  partitionsOf(topic: string): number;
}

const defaultPartitioner = Partitioners.DefaultPartitioner();

/**
 * The partition Kafka's Java client and kafkajs' DefaultPartitioner give a key: positive murmur2 modulo the
 * partition count. Using kafkajs' own partitioner keeps tools that produce by key in agreement with us.
 */
export function partitionForKey(topic: string, key: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
  return defaultPartitioner({ topic, partitionMetadata, message: { key, value: null } });
}

/**
 * Splits a batch into one sub-batch per (topic, partition), keeping commit order inside each, so that every change
 * of one row lands on one partition in order.
 *
 * Each sub-batch is a stream of its own: its `sourceId` is `<sourceId>#<topic>/<partition>`, because a sink records
 * the last applied position per (origin, sourceId) and partitions are consumed independently. Its `id` follows the
 * batch id rule from its first change, so it is stable across re-publication; its `position` is the whole batch's.
 * A truncate has no key and is placed by the table's identity.
 */
export function partitionBatch(batch: ChangeBatch, plan: PartitionPlan): PartitionedBatch[] {
  const groups = new Map<string, { topic: string; partition: number; key: string; events: ChangeEvent[] }>();
  for (const event of batch.events) {
    const topic = plan.topicOf(event);
    const key = rowIdentity(event.table, event.key);
    const partition = partitionForKey(topic, key, plan.partitionsOf(topic));
    const slot = `${topic}/${partition}`;
    const group = groups.get(slot);
    if (group === undefined) groups.set(slot, { topic, partition, key, events: [event] });
    else group.events.push(event);
  }
  return [...groups.values()].map(({ topic, partition, key, events }) => {
    const first = events[0] as ChangeEvent;
    return {
      topic,
      partition,
      key,
      batch: {
        id: `${batch.origin}/${batch.sourceId}/${first.position}/${first.tx.index}`,
        origin: batch.origin,
        sourceId: `${batch.sourceId}#${topic}/${partition}`,
        events,
        position: batch.position,
        ...(batch.trace === undefined ? {} : { trace: batch.trace }),
      },
    };
  });
}
