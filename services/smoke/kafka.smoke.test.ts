import { Kafka, logLevel } from 'kafkajs';
import { expect, it } from 'vitest';
import { requireService, unreachable } from './require-service.js';

it('kafkajs produces and consumes a message', async () => {
  const kafka = new Kafka({
    clientId: 'smoke',
    brokers: requireService('KAFKA_BROKERS', 'kafka').split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 3 },
  });
  const topic = `smoke-${process.pid}-${Date.now()}`;
  const admin = kafka.admin();
  await admin.connect().catch((error: unknown) => {
    throw unreachable('kafka', error);
  });
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  const producer = kafka.producer({ idempotent: true });
  const consumer = kafka.consumer({ groupId: topic });
  try {
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'hello' }] });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = await new Promise<string>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) });
    });
    expect(received).toBe('hello');
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
});
