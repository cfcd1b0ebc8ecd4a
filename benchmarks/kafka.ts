/**
 * `pnpm bench kafka [-- --events N --batch B]`: end-to-end throughput and latency through `KafkaTransport` (encode,
 * split by row, sign, idempotent produce with acks=all, consume, verify, decode, commit after the handler) against
 * plain kafkajs producing and consuming the same number of messages of the same sizes, in the same run.
 *
 * Latency is measured per message from the start of the publish call that carried it to its delivery in the same
 * process; "added" latency is the transport's minus the baseline's at the same percentile.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ChangeBatch, ChangeEvent } from '@worker-sync/core';
import { KafkaTransport } from '@worker-sync/transport-kafka';
import { Kafka, logLevel, Partitioners } from 'kafkajs';

interface Figures {
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly messages: number;
  readonly bytes: number;
}

const SIGNING = { algorithm: 'hmac-sha256', keyId: 'bench', keys: { bench: 'worker-sync-benchmark-key' } } as const;

/** Runs the Kafka benchmark against `KAFKA_BROKERS`. */
export async function run(args: string[]): Promise<void> {
  const events = intArg(args, '--events', 50_000);
  const perBatch = intArg(args, '--batch', 100);
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is not set: start the broker with `pnpm services up kafka`');
  const batches = Array.from({ length: Math.ceil(events / perBatch) }, (_, i) =>
    benchBatch(i, Math.min(perBatch, events - i * perBatch)),
  );
  const prefix = `wsb.${randomUUID().slice(0, 8)}`;

  const transport = await measureTransport(brokers, prefix, batches);
  const baseline = await measurePlain(brokers, `${prefix}.plain`, transport.sizes, events);

  console.log(
    `events ${events} in ${batches.length} batches of ${perBatch}; ${transport.figures.messages} Kafka messages, ${kib(transport.figures.bytes)} KiB`,
  );
  print('plain kafkajs', baseline);
  print('KafkaTransport', transport.figures);
  console.log(
    `throughput ratio (transport / plain): ${(transport.figures.eventsPerSecond / baseline.eventsPerSecond).toFixed(2)}`,
  );
  console.log(
    `overhead ratio (transport time / plain time): ${(transport.figures.seconds / baseline.seconds).toFixed(2)}`,
  );
  console.log(
    `added latency: p50 ${(transport.figures.p50 - baseline.p50).toFixed(2)} ms, p99 ${(transport.figures.p99 - baseline.p99).toFixed(2)} ms`,
  );
}

/** Publishes every batch (awaiting each, as the engine does before it checkpoints) and waits for all deliveries. */
async function measureTransport(
  brokers: string[],
  prefix: string,
  batches: ChangeBatch[],
): Promise<{ figures: Figures; sizes: number[][] }> {
  const options = (node: string) => ({
    brokers,
    clientId: `${prefix}.${node}`,
    signing: { ...SIGNING, keys: { ...SIGNING.keys } },
    topics: { prefix, nodes: ['a', 'b'], partitions: 6 },
    logLevel: 'error' as const,
  });
  const sender = new KafkaTransport(options('a'));
  const receiver = new KafkaTransport(options('b'));
  const started = new Map<string, number>();
  const latencies: number[] = [];
  let delivered = 0;
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  const total = batches.reduce((n, b) => n + b.events.length, 0);
  await receiver.subscribe({
    node: 'b',
    handle: async (batch) => {
      if (batch.sourceId.startsWith('warmup')) return;
      const [origin, source, position] = batch.id.split('/');
      latencies.push(performance.now() - (started.get(`${origin}/${source}/${position}`) ?? Number.NaN));
      delivered += batch.events.length;
      if (delivered >= total) done();
    },
  });
  // Warm up connections and topic metadata outside the measured window.
  await sender.publish(benchBatch(-1, 1, 'warmup'));
  const sizes: number[][] = [];
  const t0 = performance.now();
  for (const batch of batches) {
    started.set(`${batch.origin}/${batch.sourceId}/${batch.position}`, performance.now());
    const before = sender.stats();
    await sender.publish(batch);
    // Recorded for the baseline: how many messages this publish became and how large they were on average.
    const after = sender.stats();
    const count = after.publishedMessages - before.publishedMessages;
    const size = Math.round((after.publishedBytes - before.publishedBytes) / count);
    sizes.push(Array.from({ length: count }, () => size));
  }
  await all;
  const seconds = (performance.now() - t0) / 1000;
  const messages = sizes.reduce((n, s) => n + s.length, 0);
  const bytes = sizes.flat().reduce((n, s) => n + s, 0);
  await Promise.all([sender.close(), receiver.close()]);
  return {
    figures: summarize(seconds, total, latencies, messages, bytes),
    sizes,
  };
}

/** The baseline: plain kafkajs, same message count and sizes, idempotent acks=all producer, auto-commit consumer. */
async function measurePlain(brokers: string[], topic: string, sizes: number[][], events: number): Promise<Figures> {
  const kafka = new Kafka({ brokers, clientId: `${topic}.client`, logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 6, replicationFactor: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const consumer = kafka.consumer({ groupId: `${topic}.group` });
  await Promise.all([producer.connect(), consumer.connect()]);
  const total = sizes.reduce((n, s) => n + s.length, 0);
  const started = new Map<string, number>();
  const latencies: number[] = [];
  let received = 0;
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const key = message.key?.toString() ?? '';
      if (key === 'warmup') return;
      latencies.push(performance.now() - (started.get(key.split(':')[0] ?? '') ?? Number.NaN));
      if (++received >= total) done();
    },
  });
  await producer.send({ topic, acks: -1, messages: [{ key: 'warmup', value: Buffer.alloc(1) }] });
  const t0 = performance.now();
  for (let i = 0; i < sizes.length; i++) {
    started.set(String(i), performance.now());
    const messages = (sizes[i] ?? []).map((size, j) => ({ key: `${i}:${j}`, value: Buffer.alloc(size, 1) }));
    await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages }] });
  }
  await all;
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all([producer.disconnect(), consumer.disconnect()]);
  const bytes = sizes.flat().reduce((n, s) => n + s, 0);
  return summarize(seconds, events, latencies, total, bytes);
}

function benchBatch(index: number, count: number, source = 'bench'): ChangeBatch {
  const position = (index + 1).toString().padStart(12, '0');
  const events: ChangeEvent[] = Array.from({ length: count }, (_, i) => {
    const id = BigInt(index * 1000 + i);
    return {
      op: 'update',
      table: { namespace: 'shop', name: 'orders' },
      key: [['id', id]],
      after: { id, status: 'paid', total: { kind: 'decimal', value: '129.90' }, note: 'x'.repeat(48) },
      position,
      tx: { id: `tx-${index}`, commitTimeMicros: 1_700_000_000_000_000n, index: i, last: i === count - 1 },
      origin: 'a',
      sourceId: source,
      version: { vv: { a: index + 2 }, hlc: 1_700_000_000_000n << 16n, writer: 'a', deleted: false },
    };
  });
  return { id: `a/${source}/${position}/0`, origin: 'a', sourceId: source, events, position };
}

function summarize(seconds: number, events: number, latencies: number[], messages: number, bytes: number): Figures {
  const sorted = latencies.filter(Number.isFinite).sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { seconds, eventsPerSecond: events / seconds, p50: at(0.5), p99: at(0.99), messages, bytes };
}

function print(label: string, f: Figures): void {
  console.log(
    `${label.padEnd(15)} ${f.eventsPerSecond.toFixed(0).padStart(8)} events/s  ${f.seconds.toFixed(2)} s  latency p50 ${f.p50.toFixed(2)} ms  p99 ${f.p99.toFixed(2)} ms`,
  );
}

function intArg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const value = i === -1 ? undefined : Number(args[i + 1]);
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}

function kib(bytes: number): string {
  return (bytes / 1024).toFixed(0);
}
