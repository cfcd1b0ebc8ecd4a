import type { Subscription } from '@worker-sync/core';
import type { Admin, Consumer } from 'kafkajs';
import type { TopicPartition } from './fetch-backpressure.js';

/** Where a replay starts: a time (milliseconds since the epoch) or explicit offsets. */
export type ReplayFrom =
  | { readonly timestamp: number }
  | { readonly offsets: readonly { readonly topic: string; readonly partition: number; readonly offset: string }[] };

/**
 * A running Kafka subscription of one receiving node: pause/resume for the engine, replay, and a close that lets
 * the message in hand finish and commits only what was applied.
 */
export class KafkaSubscription implements Subscription {
  private manuallyPaused = false;
  private closingFlag = false;
  private closed: Promise<void> | undefined;

  constructor(
    private readonly consumer: Consumer,
    private readonly admin: Admin,
    /** The topics this subscription consumes. */
    readonly topics: readonly string[],
    /** The consumer group it belongs to. */
    readonly groupId: string,
    private readonly onClosed: () => void,
  ) {}

  /** True once {@link KafkaSubscription.close} was called; the consumer loop stops before its next message. */
  get closing(): boolean {
    return this.closingFlag;
  }

  /** Stops fetching every subscribed topic; the message in hand finishes and is acknowledged. */
  pause(): void {
    this.manuallyPaused = true;
    this.consumer.pause(this.topics.map((topic) => ({ topic })));
  }

  /** Resumes fetching after {@link KafkaSubscription.pause}. */
  resume(): void {
    this.manuallyPaused = false;
    this.consumer.resume(this.topics.map((topic) => ({ topic })));
  }

  /** Pauses one partition for backpressure. */
  pausePartition(tp: TopicPartition): void {
    this.consumer.pause([{ topic: tp.topic, partitions: [tp.partition] }]);
  }

  /** Resumes one partition paused for backpressure, unless the whole subscription is paused. */
  resumePartition(tp: TopicPartition): void {
    if (!this.manuallyPaused) this.consumer.resume([{ topic: tp.topic, partitions: [tp.partition] }]);
  }

  /**
   * Re-reads from a point in the past: each partition assigned to this instance seeks to the first offset at or
   * after `timestamp` (or to the given offset). Batches are delivered again and the version checks skip what was
   * already applied. Partitions owned by other group members are not moved: replay on every member, or stop the
   * group and reset its offsets with the admin tools.
   */
  async replay(from: ReplayFrom): Promise<void> {
    const targets =
      'offsets' in from
        ? from.offsets
        : (
            await Promise.all(
              this.topics.map(async (topic) =>
                (await this.admin.fetchTopicOffsetsByTimestamp(topic, from.timestamp)).map((o) => ({ topic, ...o })),
              ),
            )
          ).flat();
    for (const { topic, partition, offset } of targets) this.consumer.seek({ topic, partition, offset });
  }

  /** Lets the message in hand finish, commits what was applied, leaves the group. Idempotent. */
  close(): Promise<void> {
    this.closingFlag = true;
    this.closed ??= this.consumer.disconnect().finally(this.onClosed);
    return this.closed;
  }
}
