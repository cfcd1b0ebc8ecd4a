/**
 * One worker-sync node in its own process for the two-engine test: an in-memory database, a SyncEngine and a
 * KafkaTransport. `engine-node.ts <brokers> <prefix> <node>`. It writes its share of rows (ids 1–10 are written by
 * both nodes at the same time: concurrent conflicts), then prints its table digest whenever it changes, and on
 * SIGTERM stops the engine (drained) and prints its final digest.
 */
import { createHash } from 'node:crypto';
import {
  MemoryCheckpointStore,
  MemoryDatabase,
  MemoryDeadLetterStore,
  MemorySink,
  MemorySource,
  SyncEngine,
} from '@worker-sync/core';
import { KafkaTransport } from '../../src/index.js';
import { transportOptions } from '../kafka-test-env.js';

const [brokers = '', prefix = '', node = ''] = process.argv.slice(2);
const table = { namespace: 'app', name: 'items' };
const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);

const db = new MemoryDatabase(node);
db.createTable(table, { key: ['id'], columns: { id: 'int64', name: 'text', qty: 'int64' } });
const transport = new KafkaTransport(
  transportOptions(brokers.split(','), prefix, ['a', 'b'], { clientId: `${prefix}.${node}` }),
);
const engine = new SyncEngine({
  node,
  sources: [new MemorySource({ id: 'db', database: db })],
  sinks: [new MemorySink({ id: 'db', database: db })],
  transport,
  resolver: 'last-writer-wins',
  checkpoints: new MemoryCheckpointStore(),
  deadLetters: new MemoryDeadLetterStore(),
});
await engine.start();

const own = node === 'a' ? 11 : 21;
for (let round = 0; round < 3; round++) {
  for (let id = 1; id <= 10; id++) db.write(table, { id: BigInt(id), name: `${node}-${round}`, qty: BigInt(round) });
  for (let id = own; id < own + 10; id++) db.write(table, { id: BigInt(id), name: `${node}-only`, qty: BigInt(round) });
}

function digest(): { rows: number; digest: string } {
  const rows = db.readAll(table);
  const text = JSON.stringify(rows, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
  return { rows: rows.length, digest: createHash('sha256').update(text).digest('hex') };
}

let last = '';
const timer = setInterval(() => {
  const now = digest();
  if (now.digest !== last) say({ event: 'digest', ...now });
  last = now.digest;
}, 200);

process.on('SIGTERM', () => {
  clearInterval(timer);
  engine
    .stop({ drain: true })
    .then(() => transport.close())
    .then(() => {
      say({ event: 'final', ...digest() });
      process.exit(0);
    });
});
