import { BATCH_CODEC_VERSION, type ChangeBatch, ConnectionError, encodeBatch } from '@worker-sync/core';
import type { Batch, EachBatchPayload, KafkaMessage, Producer, ProducerRecord } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createBatchAuthenticator } from './batch-signing.js';
import { FetchBackpressure } from './fetch-backpressure.js';
import { kafkaTransportConfigSchema } from './kafka-config.js';
import { createEachBatch } from './kafka-consumer-loop.js';
import { KafkaDeadLetterWriter, readDeadLetter } from './kafka-dead-letters.js';
import { writeChangeHeaders } from './kafka-headers.js';
import { emptyCounters } from './kafka-transport-stats.js';

const signing = { algorithm: 'hmac-sha256', keyId: 'k', keys: { k: 'a-unit-test-shared-secret' } } as const;
const auth = createBatchAuthenticator({ ...signing, keys: { ...signing.keys } });
const options = kafkaTransportConfigSchema.parse({
  brokers: ['127.0.0.1:1'],
  signing,
  consumer: { attempts: 2, retryDelayMs: 0, maxRetryDelayMs: 0, commitEvery: 1000 },
}).consumer;

function batch(seq: number): ChangeBatch {
  const position = String(seq).padStart(4, '0');
  return {
    id: `a/src/${position}/0`,
    origin: 'a',
    sourceId: 'src',
    position,
    events: [
      {
        op: 'insert',
        table: { namespace: 'n', name: 't' },
        key: [['id', BigInt(seq)]],
        after: { id: BigInt(seq) },
        position,
        tx: { id: String(seq), commitTimeMicros: 0n, index: 0, last: true },
        origin: 'a',
        sourceId: 'src',
        version: { vv: { a: seq }, hlc: 1n, writer: 'a', deleted: false },
      },
    ],
  };
}

function message(offset: number, b: ChangeBatch | null): KafkaMessage {
  const value = b === null ? Buffer.from('junk') : Buffer.from(encodeBatch(b));
  const codecVersion = String(BATCH_CODEC_VERSION);
  const headers =
    b === null
      ? { 'ws-origin': 'a' }
      : writeChangeHeaders({
          codecVersion,
          origin: 'a',
          batchId: b.id,
          signature: auth.sign('a', codecVersion, value),
          trace: {},
        });
  return { offset: String(offset), key: null, value, headers, timestamp: '0', attributes: 0 } as KafkaMessage;
}

/** A kafkajs eachBatch payload over fixed messages that records resolves and commits. */
function payload(messages: KafkaMessage[], staleAfter = Number.POSITIVE_INFINITY) {
  const log: string[] = [];
  let resolved = 0;
  const p = {
    batch: { topic: 't', partition: 0, messages } as unknown as Batch,
    resolveOffset: (o: string) => {
      resolved++;
      log.push(`resolve ${o}`);
    },
    heartbeat: async () => {},
    pause: () => () => {},
    commitOffsetsIfNecessary: async (offsets?: { topics: { partitions: { offset: string }[] }[] }) => {
      log.push(`commit ${offsets?.topics[0]?.partitions[0]?.offset}`);
    },
    uncommittedOffsets: () => ({ topics: [] }),
    isRunning: () => true,
    isStale: () => resolved >= staleAfter,
  } as unknown as EachBatchPayload;
  return { p, log };
}

function loop(handle: (b: ChangeBatch) => Promise<void>) {
  const sent: ProducerRecord[] = [];
  const producer = { send: async (r: ProducerRecord) => void sent.push(r) } as unknown as Producer;
  const counters = emptyCounters();
  const eachBatch = createEachBatch({
    receiver: 'b',
    handle,
    auth,
    deadLetters: new KafkaDeadLetterWriter(producer, 'dlt'),
    backpressure: new FetchBackpressure(100, { pause: () => {}, resume: () => {} }),
    counters,
    options,
    closing: () => false,
  });
  return { eachBatch, sent, counters };
}

describe('consumer loop', () => {
  it('resolves and commits an offset only after its handler resolved', async () => {
    const { p, log } = payload([message(5, batch(1)), message(6, batch(2))]);
    const { eachBatch } = loop(async (b) => void log.push(`handle ${b.position}`));
    await eachBatch(p);
    expect(log).toEqual(['handle 0001', 'resolve 5', 'handle 0002', 'resolve 6', 'commit 7']);
  });

  it('abandons the rest of a batch when the partition goes stale and commits only what was applied', async () => {
    const { p, log } = payload([message(5, batch(1)), message(6, batch(2)), message(7, batch(3))], 1);
    const { eachBatch, counters } = loop(async (b) => void log.push(`handle ${b.position}`));
    await eachBatch(p);
    // Stale (rebalance or seek): the applied offset is not committed over the new position either.
    expect(log).toEqual(['handle 0001', 'resolve 5']);
    expect(counters.abandonedBatches).toBe(1);
  });

  it('dead-letters a batch whose handler keeps failing, then goes on with the next', async () => {
    const { p, log } = payload([message(5, batch(1)), message(6, batch(2))]);
    const { eachBatch, sent, counters } = loop(async (b) => {
      if (b.position === '0001') throw new ConnectionError('sink down');
      log.push(`handle ${b.position}`);
    });
    await eachBatch(p);
    expect(log).toEqual(['resolve 5', 'handle 0002', 'resolve 6', 'commit 7']);
    expect(counters).toMatchObject({ handlerRetries: 1, deadLettered: 1, delivered: 1 });
    const letter = readDeadLetter({ ...(sent[0]?.messages[0] as KafkaMessage), offset: '0' });
    expect(letter).toMatchObject({ stage: 'apply', topic: 't', partition: 0, offset: '5' });
    expect(letter.reason).toContain('a/src/0001/0');
    expect(letter.code).toBe('CONNECTION');
  });

  it('never hands an unsigned batch to the handler', async () => {
    const { p, log } = payload([message(5, null)]);
    const { eachBatch, sent, counters } = loop(async () => void log.push('handled'));
    await eachBatch(p);
    expect(log).toEqual(['resolve 5', 'commit 6']);
    expect(counters.rejectedUnsigned).toBe(1);
    expect(sent).toHaveLength(1);
  });
});
