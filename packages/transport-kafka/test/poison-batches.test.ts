import { BATCH_CODEC_VERSION, type ChangeBatch, encodeBatch } from '@worker-sync/core';
import { Kafka, type KafkaMessage, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatchAuthenticator, HEADER, KafkaTransport, readDeadLetter } from '../src/index.js';
import { fixtureBatch, rowsOf } from './change-fixtures.js';
import { requireKafka, TEST_SIGNING, transportOptions, uniquePrefix, waitUntil } from './kafka-test-env.js';

let brokers: string[];
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  brokers = await requireKafka();
});

afterAll(async () => {
  for (const close of closers.splice(0)) await close();
});

function signedHeaders(origin: string, payload: Buffer, keys: Record<string, string> = TEST_SIGNING.keys) {
  const auth = createBatchAuthenticator({ ...TEST_SIGNING, keys: { ...keys } });
  const sig = auth.sign(origin, String(BATCH_CODEC_VERSION), payload);
  return {
    [HEADER.codecVersion]: String(BATCH_CODEC_VERSION),
    [HEADER.origin]: origin,
    [HEADER.algorithm]: sig.algorithm,
    [HEADER.keyId]: sig.keyId,
    [HEADER.signature]: Buffer.from(sig.signature).toString('base64'),
  };
}

describe('poison batches', () => {
  it('unsigned, forged, undecodable and origin-swapped batches go to the dead-letter topic, counted, and the partition flows on', async () => {
    const prefix = uniquePrefix('poison');
    const options = transportOptions(brokers, prefix, ['a', 'b'], {
      topics: { prefix, nodes: ['a', 'b'], partitions: 1 },
    });
    const a = new KafkaTransport(options);
    const b = new KafkaTransport(options);
    closers.push(
      () => a.close(),
      () => b.close(),
    );
    const delivered: ChangeBatch[] = [];
    await b.subscribe({ node: 'b', handle: async (batch) => void delivered.push(batch) });

    const raw = new Kafka({ brokers, clientId: `${prefix}.attacker`, logLevel: logLevel.NOTHING });
    const producer = raw.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    closers.push(() => producer.disconnect());
    const topic = a.topics.changeTopic({ origin: 'a', table: { namespace: 'shop', name: 'items' } });
    const good = Buffer.from(encodeBatch(fixtureBatch('a', 1, [1])));
    const fromC = Buffer.from(encodeBatch(fixtureBatch('c', 1, [1])));
    const garbage = Buffer.from('definitely not a change batch');
    await producer.send({
      topic,
      acks: -1,
      messages: [
        {
          key: 'unsigned',
          value: good,
          headers: { [HEADER.origin]: 'a', [HEADER.codecVersion]: String(BATCH_CODEC_VERSION) },
        },
        { key: 'forged', value: good, headers: signedHeaders('a', good, { 'test-1': 'a-key-the-attacker-made-up' }) },
        { key: 'undecodable', value: garbage, headers: signedHeaders('a', garbage) },
        // A validly signed batch from "a" whose payload claims another origin: the signed origin must match.
        { key: 'swapped', value: fromC, headers: signedHeaders('a', fromC) },
      ],
    });
    await a.publish(fixtureBatch('a', 2, [1]));

    await waitUntil('the good batch after the poison', () => delivered.length === 1);
    expect(rowsOf(delivered[0] as ChangeBatch)).toEqual([{ row: 1, seq: 2 }]);
    await waitUntil('four dead letters counted', () => b.stats().deadLettered === 4);
    expect(b.stats()).toMatchObject({ rejectedUnsigned: 1, rejectedForged: 2, undecodable: 1, delivered: 1 });

    const letters: KafkaMessage[] = [];
    const reader = raw.consumer({ groupId: `${prefix}.dlt-reader` });
    closers.push(() => reader.disconnect());
    await reader.connect();
    await reader.subscribe({ topic: a.topics.deadLetterTopic('b'), fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void letters.push(message) });
    await waitUntil('four messages in the dead-letter topic', () => letters.length === 4);
    const read = letters.map(readDeadLetter);
    expect(read.map((l) => l.code)).toEqual(['UNSIGNED', 'FORGED', 'UNDECODABLE', 'FORGED']);
    for (const letter of read) {
      expect(letter.topic).toBe(topic);
      expect(letter.stage).toBe('decode');
      expect(letter.reason).toContain(topic);
      expect(letter.reason).not.toContain('worker-sync-integration-test-key');
    }
    expect(read[2]?.payload?.equals(garbage)).toBe(true);
  });
});
