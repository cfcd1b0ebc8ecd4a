import { BATCH_CODEC_VERSION, type ChangeBatch, decodeBatch, type NodeId, WorkerSyncError } from '@worker-sync/core';
import type { KafkaMessage } from 'kafkajs';
import type { BatchAuthenticator } from './batch-signing.js';
import type { DeadLetterReason } from './kafka-dead-letters.js';
import { readChangeHeaders } from './kafka-headers.js';
import type { KafkaTransportCounters } from './kafka-transport-stats.js';

/** What to do with one consumed message before any handler sees it. */
export type MessageVerdict =
  | { readonly kind: 'own-origin' }
  | { readonly kind: 'reject'; readonly why: DeadLetterReason }
  | { readonly kind: 'deliver'; readonly batch: ChangeBatch; readonly trace: Readonly<Record<string, string>> };

/** Where a message was consumed from, for reasons that name the position. */
export interface MessagePosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/**
 * Checks one consumed message: own-origin batches are skipped unread; a message must carry a signature that
 * verifies over its header fields and payload, a codec version this build reads, and a payload whose origin is the
 * signed origin. Anything else is rejected (and counted), so a sink never applies a batch nobody trusted signed.
 */
export function judgeMessage(
  message: KafkaMessage,
  where: MessagePosition,
  receiver: NodeId,
  auth: BatchAuthenticator,
  counters: KafkaTransportCounters,
): MessageVerdict {
  const headers = readChangeHeaders(message.headers);
  const at = `${where.topic}/${where.partition}@${where.offset}`;
  if (headers.origin === receiver) return { kind: 'own-origin' };
  const payload = message.value ?? Buffer.alloc(0);
  const verification = auth.verify(headers.origin ?? '', headers.codecVersion ?? '', payload, headers.signature);
  if (!verification.ok) {
    if (verification.failure === 'unsigned') counters.rejectedUnsigned++;
    else counters.rejectedForged++;
    const code = verification.failure === 'unsigned' ? 'UNSIGNED' : 'FORGED';
    const reason = `batch at ${at} rejected: ${describeFailure(verification.failure)} (origin header "${headers.origin ?? ''}", key id "${headers.signature?.keyId ?? ''}")`;
    return { kind: 'reject', why: { stage: 'decode', code, reason } };
  }
  if (headers.codecVersion !== String(BATCH_CODEC_VERSION)) {
    counters.undecodable++;
    const reason = `batch at ${at}: codec version "${headers.codecVersion ?? ''}" is not ${BATCH_CODEC_VERSION}`;
    return { kind: 'reject', why: { stage: 'decode', code: 'CODEC_VERSION', reason } };
  }
  let batch: ChangeBatch;
  try {
    batch = decodeBatch(payload);
  } catch (error) {
    counters.undecodable++;
    const detail = error instanceof WorkerSyncError ? error.message : 'not a batch';
    return { kind: 'reject', why: { stage: 'decode', code: 'UNDECODABLE', reason: `batch at ${at}: ${detail}` } };
  }
  if (batch.origin !== headers.origin) {
    counters.rejectedForged++;
    const reason = `batch ${batch.id} at ${at}: payload origin "${batch.origin}" differs from the signed origin "${headers.origin}"`;
    return { kind: 'reject', why: { stage: 'decode', code: 'FORGED', reason } };
  }
  return { kind: 'deliver', batch, trace: headers.trace };
}

function describeFailure(failure: 'unsigned' | 'unknown-key' | 'forged'): string {
  if (failure === 'unsigned') return 'no signature';
  if (failure === 'unknown-key') return 'signed with a key that is not trusted for its origin';
  return 'signature does not match';
}
