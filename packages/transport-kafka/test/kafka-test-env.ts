import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaTransportOptions } from '../src/index.js';

/** The broker of the integration tests, from `.services/services.env` (written by `pnpm services up kafka`). */
export function kafkaBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (brokers === undefined || brokers === '') {
    throw new Error('KAFKA_BROKERS is not set: start the broker with `pnpm services up kafka`');
  }
  return brokers.split(',');
}

/** Fails (never skips) when the broker cannot be reached, naming the command that starts it. */
export async function requireKafka(): Promise<string[]> {
  const brokers = kafkaBrokers();
  const admin = new Kafka({
    brokers,
    clientId: 'worker-sync-test-probe',
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    retry: { retries: 2 },
  }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } catch (error) {
    throw new Error(`Kafka at ${brokers.join(',')} is unreachable: start it with \`pnpm services up kafka\``, {
      cause: error,
    });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  return brokers;
}

/** A topic prefix no earlier run used, so every test starts from empty topics and groups. */
export function uniquePrefix(test: string): string {
  return `wst.${test}.${randomUUID().slice(0, 8)}`;
}

/** The shared signing key of the tests (HMAC-SHA256). */
export const TEST_SIGNING = {
  algorithm: 'hmac-sha256',
  keyId: 'test-1',
  keys: { 'test-1': 'worker-sync-integration-test-key' },
} as const;

/** Transport options for the tests: the broker, a unique prefix, the test key, quiet logs. */
export function transportOptions(
  brokers: string[],
  prefix: string,
  nodes: string[],
  overrides: Partial<KafkaTransportOptions> = {},
): KafkaTransportOptions {
  return {
    brokers,
    clientId: `${prefix}.client`,
    signing: { ...TEST_SIGNING, keys: { ...TEST_SIGNING.keys } },
    topics: { prefix, nodes, partitions: 4 },
    consumer: { retryDelayMs: 50, maxRetryDelayMs: 200, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000 },
    logLevel: 'error',
    ...overrides,
  };
}

/** Polls `check` until it returns true or `limitMs` passes; the failure names what was awaited. */
export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  limitMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
