import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaTransport } from '../src/index.js';
import { AppliedRecord } from './applied-record.js';
import { fixtureBatch } from './change-fixtures.js';
import { requireKafka, transportOptions, uniquePrefix, waitUntil } from './kafka-test-env.js';

const MEMBER = fileURLToPath(new URL('./processes/group-member.ts', import.meta.url));
const BATCHES = 120;
const rowsFor = (seq: number) => [seq % 8, 8 + (seq % 5), 20 + (seq % 3)];

let brokers: string[];
const children: ChildProcess[] = [];
let dir: string;

beforeAll(async () => {
  brokers = await requireKafka();
  dir = mkdtempSync(join(tmpdir(), 'ws-kafka-failover-'));
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Starts a group member process and counts its stdout events. */
function member(prefix: string, delayMs: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', MEMBER, brokers.join(','), prefix, dir, String(delayMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const seen = { subscribed: false, applying: 0, applied: 0, midBatch: false };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const { event } = JSON.parse(line) as { event: string };
    if (event === 'subscribed') seen.subscribed = true;
    if (event === 'applying') {
      seen.applying++;
      seen.midBatch = true;
    }
    if (event === 'applied') {
      seen.applied++;
      seen.midBatch = false;
    }
  });
  return { child, seen };
}

describe('two sink instances in one consumer group', () => {
  it('after one is killed with SIGKILL mid-batch, the other takes over: nothing lost, nothing applied twice, rows in order', async () => {
    const prefix = uniquePrefix('failover');
    const publisher = new KafkaTransport(transportOptions(brokers, prefix, ['a', 'b']));
    const expected = new Map<number, number[]>();
    for (let seq = 1; seq <= BATCHES; seq++) {
      const rows = rowsFor(seq);
      await publisher.publish(fixtureBatch('a', seq, rows));
      for (const row of rows) expected.set(row, [...(expected.get(row) ?? []), seq]);
    }
    await publisher.close();

    const first = member(prefix, 15);
    const second = member(prefix, 15);
    await waitUntil('both members subscribed', () => first.seen.subscribed && second.seen.subscribed);
    await waitUntil('both members applying', () => first.seen.applied >= 5 && second.seen.applied >= 5);
    await waitUntil('the first member in the middle of a batch', () => first.seen.midBatch, 30_000);
    first.child.kill('SIGKILL');

    const record = new AppliedRecord(dir);
    const total = [...expected.values()].reduce((n, seqs) => n + seqs.length, 0);
    await waitUntil(`all ${total} changes applied`, () => record.count() === total, 90_000);
    const applied = record.rows();
    for (const [row, seqs] of expected) expect(applied.get(row), `row ${row}`).toEqual(seqs);
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
  });
});
