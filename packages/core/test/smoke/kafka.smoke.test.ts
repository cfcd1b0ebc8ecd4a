import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { connectOrExplain, requireServiceUrl } from './require-service.js';

/** Proves the single-node KRaft broker takes a message and hands it to a consumer group. */
describe('kafka', () => {
  const kafka = new Kafka({
    clientId: 'worker-sync-smoke',
    brokers: requireServiceUrl('kafka').split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 3 },
  });
  const topic = `smoke-${process.pid}-${Date.now()}`;
  const admin = kafka.admin();
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `${topic}-group` });

  afterAll(async () => {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('produces and consumes a message', async () => {
    await connectOrExplain('kafka', () => admin.connect());
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k', value: 'hello' }] });

    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = await new Promise<string>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => resolve(String(message.value)),
      });
    });
    expect(received).toBe('hello');
  });
});
