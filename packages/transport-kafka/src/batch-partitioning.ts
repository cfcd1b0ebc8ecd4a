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
 * A truncate has no key and goes to every partition of its table's topic.
 */
export function partitionBatch(batch: ChangeBatch, plan: PartitionPlan): PartitionedBatch[] {
  const groups = new Map<string, { topic: string; partition: number; key: string; events: ChangeEvent[] }>();
  const place = (topic: string, partition: number, key: string, event: ChangeEvent) => {
    const slot = `${topic}/${partition}`;
    const group = groups.get(slot);
    if (group === undefined) groups.set(slot, { topic, partition, key, events: [event] });
    else group.events.push(event);
  };
  for (const event of batch.events) {
    const topic = plan.topicOf(event);
    const key = rowIdentity(event.table, event.key);
    const partitions = plan.partitionsOf(topic);
    if (event.op === 'truncate') {
      // On every partition, after the changes published before it there: a row's insert on another partition
      // cannot then be applied after the truncate that removed it (sinks apply it once per row, idempotently).
      for (let partition = 0; partition < partitions; partition++) place(topic, partition, key, event);
    } else {
      place(topic, partitionForKey(topic, key, partitions), key, event);
    }
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
