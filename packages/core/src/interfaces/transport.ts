import type { ChangeBatch, NodeId } from '../model/change-event.js';

/** A live subscription. */
export interface Subscription {
  /** Stops delivering new batches (in-flight ones finish); used for backpressure and for `SyncEngine.pause()`. */
  pause(): void;
  /** Resumes delivery after {@link Subscription.pause}. */
  resume(): void;
  /** Stops after in-flight batches are handled and acknowledged. */
  close(): Promise<void>;
}

/** How a node subscribes. */
export interface SubscribeOptions {
  /** The receiving node: batches whose origin is this node are not delivered to it. */
  readonly node: NodeId;
  /**
   * Handles one batch. Resolving acknowledges it (the transport may then commit past it); rejecting means it was
   * not applied: the transport redelivers it later, and after its bounded retries moves it to its dead letters.
   * Batches with the same partition key (table + row key) are delivered in publish order, one at a time.
   */
  readonly handle: (batch: ChangeBatch) => Promise<void>;
}

/**
 * Moves batches between nodes, durably.
 *
 * @example
 * ```ts
 * await transport.publish(batch); // resolves only once the batch is durable
 * const sub = await transport.subscribe({ node: 'eu-1', handle: (b) => engine.applyRemote(b) });
 * ```
 */
export interface Transport {
  /**
   * True when publishes may overlap: batches whose `publish` calls overlap still reach every subscriber in call
   * order, and a publish rejects only when no later one can be delivered either (the transport is closed). The
   * engine then keeps several judged batches of a source publishing at once and checkpoints them in order. Absent
   * or false, the engine publishes one batch at a time: a rejected publish retried after a later one was delivered
   * would arrive behind it, and a sink's per-stream position record would take it for a redelivery.
   */
  readonly publishesInOrder?: boolean;
  /** Resolves once the transport durably holds the batch; only then may the source position be checkpointed. */
  publish(batch: ChangeBatch): Promise<void>;
  /** Delivers every other node's batches to `handle`, with explicit acknowledgement by resolution. */
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Flushes and releases connections. */
  close(): Promise<void>;
}
