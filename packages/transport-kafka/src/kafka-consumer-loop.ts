import { type ChangeBatch, type NodeId, retry, WorkerSyncError } from '@worker-sync/core';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { BatchAuthenticator } from './batch-signing.js';
import type { FetchBackpressure } from './fetch-backpressure.js';
import type { KafkaTransportConfig } from './kafka-config.js';
import type { DeadLetterReason, KafkaDeadLetterWriter } from './kafka-dead-letters.js';
import { judgeMessage } from './kafka-message-handler.js';
import type { KafkaTransportCounters } from './kafka-transport-stats.js';

/** What the consumer loop needs from its subscription. */
export interface ConsumerLoopContext {
  readonly receiver: NodeId;
  readonly handle: (batch: ChangeBatch) => Promise<void>;
  readonly auth: BatchAuthenticator;
  readonly deadLetters: KafkaDeadLetterWriter;
  readonly backpressure: FetchBackpressure;
  readonly counters: KafkaTransportCounters;
  readonly options: KafkaTransportConfig['consumer'];
  /** True once the subscription is closing: the loop finishes the message in hand and stops. */
  readonly closing: () => boolean;
}

/** Raised inside a retry to stop it: the partition was revoked or re-sought, or the subscription is closing. */
class Abandoned extends WorkerSyncError {
  constructor() {
    super('abandoned: partition revoked, re-sought or closing', 'ABANDONED', false);
  }
}

/**
 * The kafkajs `eachBatch` handler: messages of one partition are handled one at a time in offset order; an offset
 * is resolved only after its handler resolved (or the message went to the dead-letter topic and Kafka acknowledged
 * that), and commits carry only resolved offsets. On a rebalance, seek or stop (`isStale`/`isRunning`) the loop
 * stops before the next message and commits nothing past what was applied; the rest is redelivered to whoever owns
 * the partition next, where the version checks make the redelivery harmless.
 */
export function createEachBatch(ctx: ConsumerLoopContext): (payload: EachBatchPayload) => Promise<void> {
  return async (payload) => {
    const { batch } = payload;
    const tp = { topic: batch.topic, partition: batch.partition };
    ctx.backpressure.fetched(tp, batch.messages.length);
    let done = 0;
    let lastResolved: string | undefined;
    let sinceCommit = 0;
    let rebalancing: unknown;
    const stopped = () => !payload.isRunning() || payload.isStale() || ctx.closing();
    const commit = async (): Promise<void> => {
      if (lastResolved === undefined || sinceCommit === 0 || payload.isStale()) return;
      await commitResolved(payload, tp, lastResolved, ctx.counters);
      sinceCommit = 0;
    };
    try {
      for (const message of batch.messages) {
        if (stopped()) break;
        const outcome = await processMessage(message, tp, payload, ctx, stopped);
        if (outcome === 'abandoned') break;
        payload.resolveOffset(message.offset);
        lastResolved = message.offset;
        sinceCommit++;
        done++;
        ctx.backpressure.acknowledged(1);
        if (sinceCommit >= ctx.options.commitEvery) await commit();
        try {
          await payload.heartbeat();
        } catch (error) {
          // The group is rebalancing: stop here, commit what was applied (still accepted from this generation),
          // and let kafkajs rejoin by rethrowing.
          rebalancing = error;
          break;
        }
      }
    } finally {
      // Also on a failure (a dead letter Kafka did not take): what was applied is committed, the rest refetched.
      if (done < batch.messages.length) ctx.counters.abandonedBatches++;
      await commit();
      ctx.backpressure.acknowledged(batch.messages.length - done);
    }
    if (rebalancing !== undefined) throw rebalancing;
  };
}

async function commitResolved(
  payload: EachBatchPayload,
  tp: { topic: string; partition: number },
  offset: string,
  counters: KafkaTransportCounters,
): Promise<void> {
  const next = (BigInt(offset) + 1n).toString();
  try {
    await payload.commitOffsetsIfNecessary({
      topics: [{ topic: tp.topic, partitions: [{ partition: tp.partition, offset: next }] }],
    });
    counters.commits++;
  } catch {
    // A refused commit (rebalance, lost coordinator) only means redelivery, which the version checks make harmless.
    counters.commitFailures++;
  }
}

async function processMessage(
  message: KafkaMessage,
  tp: { topic: string; partition: number },
  payload: EachBatchPayload,
  ctx: ConsumerLoopContext,
  stopped: () => boolean,
): Promise<'acknowledged' | 'abandoned'> {
  const where = { ...tp, offset: message.offset };
  const verdict = judgeMessage(message, where, ctx.receiver, ctx.auth, ctx.counters);
  if (verdict.kind === 'own-origin') {
    ctx.counters.skippedOwnOrigin++;
    return 'acknowledged';
  }
  if (verdict.kind === 'reject') {
    await ctx.deadLetters.send({ ...tp, message }, verdict.why);
    ctx.counters.deadLettered++;
    return 'acknowledged';
  }
  const failure = await handleWithRetry(verdict.batch, verdict.trace, payload, ctx, stopped);
  if (failure === 'abandoned') return 'abandoned';
  if (failure !== undefined) {
    await ctx.deadLetters.send({ ...tp, message }, failure);
    ctx.counters.deadLettered++;
    return 'acknowledged';
  }
  ctx.counters.delivered++;
  return 'acknowledged';
}

/** Runs the handler with bounded retries; resolves undefined on success, the dead-letter reason after the last try. */
async function handleWithRetry(
  batch: ChangeBatch,
  trace: Readonly<Record<string, string>>,
  payload: EachBatchPayload,
  ctx: ConsumerLoopContext,
  stopped: () => boolean,
): Promise<DeadLetterReason | 'abandoned' | undefined> {
  try {
    // The batch carries its publisher's trace context; the engine opens its consumer span from it.
    const delivered: ChangeBatch = Object.keys(trace).length > 0 ? { ...batch, trace } : batch;
    await retry(
      async () => {
        if (stopped()) throw new Abandoned();
        await ctx.handle(delivered);
      },
      {
        maxAttempts: ctx.options.attempts,
        initialDelayMs: ctx.options.retryDelayMs,
        maxDelayMs: ctx.options.maxRetryDelayMs,
        onRetry: () => {
          if (stopped()) throw new Abandoned();
          ctx.counters.handlerRetries++;
          payload.heartbeat().catch(() => undefined);
        },
      },
    );
    return undefined;
  } catch (error) {
    if (error instanceof Abandoned || stopped()) return 'abandoned';
    const code = error instanceof WorkerSyncError ? error.code : 'HANDLER';
    const detail = error instanceof WorkerSyncError ? error.message : 'handler failed';
    const reason = `batch ${batch.id} (${batch.events.length} changes, position ${batch.position}) not applied (retriable errors retried up to ${ctx.options.attempts} attempts): ${detail}`;
    return { stage: 'apply', code, reason };
  }
}
