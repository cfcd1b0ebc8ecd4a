import { decodeBatch, encodeBatch } from '../codec/batch-codec.js';
import { WorkerSyncError } from '../errors.js';
import type { DeadLetterStore } from '../interfaces/dead-letter-store.js';
import type { SubscribeOptions, Subscription, Transport } from '../interfaces/transport.js';
import type { ChangeBatch, ChangeEvent, NodeId } from '../model/change-event.js';
import { rowIdentity } from '../model/row-identity.js';
import { type RetryOptions, retry } from '../runtime/retry.js';

/** Faults an {@link InProcessTransport} injects, for tests of at-least-once delivery. */
export interface TransportFaults {
  /** Probability (0–1) that a delivered message is delivered a second time right after its acknowledgement. */
  readonly duplicate?: number;
  /** Upper bound (ms) of a random delay before each delivery; partitions then race, reordering across keys. */
  readonly maxDelayMs?: number;
  /** Random numbers in [0, 1) for the faults; pass a seeded generator to replay a run. Defaults to Math.random. */
  readonly random?: () => number;
}

/** Options of an {@link InProcessTransport}. */
export interface InProcessTransportOptions {
  /**
   * Partitions per transport (default 1). Changes of one row always land on the same partition, in order. Inside
   * one process, more partitions mostly split each batch into as many smaller sink transactions against the same
   * database; raise it for sinks that gain from concurrent applies, or in tests that want partitions to race.
   */
  readonly partitions?: number;
  /**
   * Backoff between redeliveries of a batch whose handler rejected; after the last attempt it is dead-lettered, or,
   * without {@link InProcessTransportOptions.deadLetters}, kept and retried after `maxDelayMs` (never dropped).
   */
  readonly retry?: Partial<RetryOptions>;
  /** Where undeliverable messages go (a handler that kept rejecting, a payload that did not decode). */
  readonly deadLetters?: DeadLetterStore;
  readonly faults?: TransportFaults;
  /**
   * When true nothing is delivered until {@link InProcessTransport.step} is called: a test then decides, with its
   * own seeded random numbers, which partition of which subscriber moves next. Default false.
   */
  readonly manual?: boolean;
}

/** One published part, with the subscribers that have yet to move past it. */
class Message {
  readonly #awaiting: Set<InProcessSubscription>;
  readonly #done: () => void;
  /** Resolves once every subscriber that was present at publish time has acknowledged (or left). */
  readonly delivered: Promise<void>;

  constructor(
    readonly bytes: Uint8Array,
    readonly origin: NodeId,
    readonly trace: Readonly<Record<string, string>> | undefined,
    awaiting: Iterable<InProcessSubscription>,
  ) {
    this.#awaiting = new Set(awaiting);
    let done!: () => void;
    this.delivered = new Promise((resolve) => {
      done = resolve;
    });
    this.#done = done;
    if (this.#awaiting.size === 0) done();
  }

  /** Records that `subscriber` moved past this message (handled, dead-lettered, skipped as its own, or closed). */
  release(subscriber: InProcessSubscription): void {
    if (this.#awaiting.delete(subscriber) && this.#awaiting.size === 0) this.#done();
  }
}

/**
 * A transport inside one process. Its log lives in memory and dies with the process, so it holds a batch durably
 * only by having it applied: `publish` resolves once every other node subscribed at that moment has handled the
 * batch (or dead-lettered it, or unsubscribed). The source then checkpoints only what the other sinks committed, and
 * a crash of the process loses nothing. The price is that a node's capture waits for the slowest peer's apply, which
 * is the backpressure a synchronous link should give; a paused peer holds publishers back until it resumes.
 *
 * Batches are encoded with the batch codec, so what arrives is exactly what the codec round-trips. Every subscriber
 * has its own offset per partition, advanced only after its handler resolved; a rejected delivery is retried with
 * backoff and then dead-lettered; changes of one row (by `rowIdentity`) keep publish order because they share a
 * partition, while partitions proceed independently; a truncate goes to every partition, so no partition applies a
 * change of that table published before it after it. In manual mode `publish` resolves at once, since nothing is
 * delivered until the test steps.
 *
 * Like the Kafka transport, a published batch is split per partition; each part's `sourceId` is
 * `<sourceId>#<partition>`, because sinks record applied positions per stream and partitions are separate streams.
 *
 * @example
 * ```ts
 * const transport = new InProcessTransport({ partitions: 4 });
 * await transport.subscribe({ node: 'b', handle: (batch) => engineB.applyRemote(batch) });
 * await transport.publish(batch);
 * ```
 */
export class InProcessTransport implements Transport {
  readonly #partitions: Message[][];
  readonly #subscribers = new Set<InProcessSubscription>();
  readonly #options: InProcessTransportOptions;
  #closed = false;
  /**
   * A publish appends its messages to the partitions before its first await, and rejects only when the transport is
   * closed or the batch cannot be encoded (then nothing of it was appended, and no retry changes that): overlapping
   * publishes are delivered in call order.
   */
  readonly publishesInOrder = true;

  constructor(options: InProcessTransportOptions = {}) {
    const count = options.partitions ?? 1;
    if (!Number.isSafeInteger(count) || count < 1) {
      throw new WorkerSyncError(`partitions must be a positive integer, got ${count}`, 'CONFIGURATION', false);
    }
    this.#options = options;
    this.#partitions = Array.from({ length: count }, () => []);
  }

  async publish(batch: ChangeBatch): Promise<void> {
    if (this.#closed) throw new WorkerSyncError('the in-process transport is closed', 'CLOSED', false);
    const receivers = this.#options.manual ? [] : [...this.#subscribers].filter((s) => s.node !== batch.origin);
    // Encode every part before appending any, so a batch the codec refuses leaves nothing half-published.
    const encoded = [...splitByPartition(batch, this.#partitions.length)].map(
      ([partition, part]) => [partition, encodeBatch(part)] as const,
    );
    const delivered: Promise<void>[] = [];
    for (const [partition, bytes] of encoded) {
      const message = new Message(bytes, batch.origin, batch.trace, receivers);
      this.#partitions[partition]!.push(message);
      delivered.push(message.delivered);
    }
    for (const subscriber of this.#subscribers) subscriber.wake();
    await Promise.all(delivered);
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const subscription = new InProcessSubscription(this.#partitions, options, this.#options, () =>
      this.#subscribers.delete(subscription),
    );
    this.#subscribers.add(subscription);
    subscription.wake();
    return subscription;
  }

  /**
   * Manual mode: delivers one message to one subscriber, chosen with `random` among the (subscriber, partition)
   * pairs that have something to deliver. Resolves true once it was handled (or failed), false when nothing waits.
   */
  async step(random: () => number): Promise<boolean> {
    for (const s of this.#subscribers) s.skipOwn();
    const ready = [...this.#subscribers].flatMap((s) => s.readyPartitions().map((p) => [s, p] as const));
    if (ready.length === 0) return false;
    const [subscriber, partition] = ready[Math.floor(random() * ready.length)]!;
    await subscriber.deliverOne(partition, random);
    return true;
  }

  /** Messages not yet acknowledged by every subscriber, summed over subscribers. */
  backlog(): number {
    let total = 0;
    for (const subscriber of this.#subscribers) total += subscriber.backlog();
    return total;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#subscribers].map((s) => s.close()));
  }
}

class InProcessSubscription implements Subscription {
  readonly #offsets: number[];
  readonly #attempts: number[];
  readonly #running = new Set<number>();
  readonly #inFlight = new Set<Promise<void>>();
  /** Batches decoded ahead of their delivery (see {@link InProcessSubscription.#decodeNext}). */
  readonly #decoded = new WeakMap<Message, ChangeBatch>();
  #paused = false;
  #closed = false;

  constructor(
    private readonly partitions: Message[][],
    private readonly options: SubscribeOptions,
    private readonly transport: InProcessTransportOptions,
    private readonly onClose: () => void,
  ) {
    this.#offsets = partitions.map(() => 0);
    this.#attempts = partitions.map(() => 0);
  }

  /** The receiving node. */
  get node(): NodeId {
    return this.options.node;
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.wake();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#inFlight]);
    this.onClose();
    // Publishers waiting on this node stop waiting: it will not take these messages any more.
    this.partitions.forEach((messages, p) => {
      for (let offset = this.#offsets[p]!; offset < messages.length; offset++) messages[offset]!.release(this);
    });
  }

  backlog(): number {
    return this.partitions.reduce((sum, messages, p) => sum + messages.length - this.#offsets[p]!, 0);
  }

  /** Manual mode: steps past the node's own messages, so they never count as deliverable. */
  skipOwn(): void {
    this.partitions.forEach((messages, p) => {
      while (this.#offsets[p]! < messages.length && messages[this.#offsets[p]!]!.origin === this.options.node) {
        this.#advance(p);
      }
    });
  }

  readyPartitions(): number[] {
    if (this.#paused || this.#closed) return [];
    return this.partitions.flatMap((messages, p) => (this.#offsets[p]! < messages.length ? [p] : []));
  }

  /** Starts a delivery loop on every partition with pending messages (automatic mode). */
  wake(): void {
    if (this.transport.manual) return;
    for (const partition of this.readyPartitions()) {
      if (this.#running.has(partition)) continue;
      this.#running.add(partition);
      const loop = this.#run(partition).finally(() => {
        this.#running.delete(partition);
        this.#inFlight.delete(loop);
        // A publish between the loop's last check and this cleanup found the loop still running; look again.
        this.wake();
      });
      this.#inFlight.add(loop);
    }
  }

  async #run(partition: number): Promise<void> {
    const random = this.transport.faults?.random ?? Math.random;
    while (!this.#paused && !this.#closed && this.#offsets[partition]! < this.partitions[partition]!.length) {
      const maxDelay = this.transport.faults?.maxDelayMs ?? 0;
      if (maxDelay > 0) await sleep(Math.floor(random() * maxDelay));
      const message = this.partitions[partition]![this.#offsets[partition]!]!;
      try {
        await retry(() => this.#handle(message, random, partition), { ...this.transport.retry });
      } catch (error) {
        if (this.transport.deadLetters === undefined) {
          // Nowhere to park it: keep it at the head of its partition and try again later rather than drop it.
          await sleep(this.transport.retry?.maxDelayMs ?? 2_000);
          continue;
        }
        await this.#deadLetter(message, error);
      }
      this.#advance(partition);
    }
  }

  /** Moves past the head of `partition`, releasing a publisher that waits for it. */
  #advance(partition: number): void {
    this.partitions[partition]![this.#offsets[partition]!]!.release(this);
    this.#offsets[partition]! += 1;
  }

  /** Manual mode: one attempt at the next message of `partition`; a rejection leaves it for a later step. */
  async deliverOne(partition: number, random: () => number): Promise<void> {
    const message = this.partitions[partition]![this.#offsets[partition]!]!;
    try {
      await this.#handle(message, random);
      this.#advance(partition);
      this.#attempts[partition] = 0;
    } catch (error) {
      this.#attempts[partition]! += 1;
      if (
        this.transport.deadLetters !== undefined &&
        this.#attempts[partition]! >= (this.transport.retry?.maxAttempts ?? 5)
      ) {
        await this.#deadLetter(message, error);
        this.#advance(partition);
        this.#attempts[partition] = 0;
      }
    }
  }

  async #handle(message: Message, random: () => number, partition?: number): Promise<void> {
    if (message.origin === this.options.node) return;
    const batch = this.#decoded.get(message) ?? decodeBatch(message.bytes);
    this.#decoded.delete(message);
    const delivered = message.trace === undefined ? batch : { ...batch, trace: message.trace };
    const handled = this.options.handle(delivered);
    if (partition !== undefined) this.#decodeNext(partition);
    await handled;
    if (random() < (this.transport.faults?.duplicate ?? 0)) await this.options.handle(decodeBatch(message.bytes));
  }

  /**
   * Decodes the message after the head of `partition` while the head's handler waits on its sink (on the next turn
   * of the event loop, once the handler has sent its first request), so decoding overlaps the apply instead of
   * following it. A message that does not decode is left to its own delivery, which decodes it again and
   * dead-letters it.
   */
  #decodeNext(partition: number): void {
    const head = this.#offsets[partition]!;
    const next = this.partitions[partition]![head + 1];
    if (next === undefined || next.origin === this.options.node || this.#decoded.has(next)) return;
    setImmediate(() => {
      // Only while the head is still being handled: once delivered, a message needs no decoding ahead.
      if (this.#closed || this.#offsets[partition] !== head || this.#decoded.has(next)) return;
      try {
        this.#decoded.set(next, decodeBatch(next.bytes));
      } catch {
        // Reported when it is delivered.
      }
    });
  }

  async #deadLetter(message: Message, error: unknown): Promise<void> {
    const store = this.transport.deadLetters;
    if (store === undefined) return;
    const code = error instanceof WorkerSyncError ? error.code : 'DELIVERY';
    let batch: ChangeBatch | undefined;
    try {
      batch = decodeBatch(message.bytes);
    } catch {
      batch = undefined;
    }
    await store.put({
      id: `${this.options.node}/${batch?.id ?? `undecodable-${Date.now()}`}`,
      at: new Date(),
      stage: batch === undefined ? 'decode' : 'apply',
      code,
      reason: `delivery to node ${this.options.node} failed: ${(error as Error).message}`,
      ...(batch ? { batchId: batch.id, batch } : { payload: message.bytes }),
    });
  }
}

/** Splits a batch per partition of its changes' row identities, in commit order within each part. */
function splitByPartition(batch: ChangeBatch, partitions: number): Map<number, ChangeBatch> {
  const groups = new Map<number, ChangeEvent[]>();
  // One partition (the default) needs no row identities.
  if (partitions === 1) {
    if (batch.events.length > 0) groups.set(0, [...batch.events]);
  } else {
    const place = (partition: number, event: ChangeEvent) => {
      const group = groups.get(partition);
      if (group === undefined) groups.set(partition, [event]);
      else group.push(event);
    };
    for (const event of batch.events) {
      if (event.op === 'truncate') {
        // On every partition, after the changes published before it there, as the Kafka transport does.
        for (let partition = 0; partition < partitions; partition++) place(partition, event);
      } else {
        place(fnv1a(rowIdentity(event.table, event.key)) % partitions, event);
      }
    }
  }
  const parts = new Map<number, ChangeBatch>();
  for (const [partition, events] of groups) {
    const first = events[0]!;
    parts.set(partition, {
      id: `${batch.origin}/${batch.sourceId}/${first.position}/${first.tx.index}`,
      origin: batch.origin,
      sourceId: `${batch.sourceId}#${partition}`,
      events,
      position: batch.position,
    });
  }
  return parts;
}

/** 32-bit FNV-1a over UTF-16 code units: cheap, stable, well spread for partitioning. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
