/** A topic partition. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** What backpressure acts on: the consumer's pause and resume of single partitions. */
export interface FetchControl {
  pause(tp: TopicPartition): void;
  resume(tp: TopicPartition): void;
}

/**
 * Bounds the fetched-but-unacknowledged messages of a consumer. Above `bound` the partition that just delivered a
 * batch is paused (kafkajs then stops fetching it; the batch in hand still finishes); once acknowledgements bring
 * the count to half the bound, every partition it paused resumes. Memory stays bounded however slow the sink is.
 *
 * @example
 * ```ts
 * const bp = new FetchBackpressure(1000, { pause: (tp) => consumer.pause([..]), resume: (tp) => consumer.resume([..]) });
 * bp.fetched({ topic, partition }, batch.messages.length);
 * bp.acknowledged(1);
 * ```
 */
export class FetchBackpressure {
  private inFlight = 0;
  private readonly paused = new Map<string, TopicPartition>();

  constructor(
    private readonly bound: number,
    private readonly control: FetchControl,
    private readonly onPause: () => void = () => {},
  ) {}

  /** Messages fetched and not yet acknowledged. */
  get pending(): number {
    return this.inFlight;
  }

  /** Partitions currently paused by backpressure. */
  get pausedPartitions(): TopicPartition[] {
    return [...this.paused.values()];
  }

  /** Counts a fetched batch of `count` messages from `tp`; pauses `tp` when over the bound. */
  fetched(tp: TopicPartition, count: number): void {
    this.inFlight += count;
    const slot = `${tp.topic}/${tp.partition}`;
    if (this.inFlight > this.bound && !this.paused.has(slot)) {
      this.paused.set(slot, tp);
      this.control.pause(tp);
      this.onPause();
    }
  }

  /** Counts `count` messages as done (acknowledged, dead-lettered or abandoned); resumes below the low mark. */
  acknowledged(count: number): void {
    this.inFlight = Math.max(0, this.inFlight - count);
    if (this.inFlight > this.bound / 2 || this.paused.size === 0) return;
    const resumed = [...this.paused.values()];
    this.paused.clear();
    for (const tp of resumed) this.control.resume(tp);
  }
}
