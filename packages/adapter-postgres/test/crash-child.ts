/**
 * A pipeline process for the kill -9 test: PostgresSource on pg-local → PostgresSink on pg-backup, resuming from the
 * position the sink co-wrote with the data (so the checkpoint is exactly as durable as the rows) and acknowledging
 * the slot only after the sink committed. Every applied batch is appended to a log file, so the test can tell a
 * batch applied twice from a redelivered one.
 */
import { appendFileSync } from 'node:fs';
import type { ChangeBatch } from '@worker-sync/core';
import { PostgresSink, PostgresSource } from '../src/index.js';

const [from, to, tableName, log] = [
  process.env.CRASH_FROM!,
  process.env.CRASH_TO!,
  process.env.CRASH_TABLE!,
  process.env.CRASH_LOG!,
];
const origin = 'crash-node';
const source = new PostgresSource({ id: 'crash', url: from, tables: [tableName], maxBatchChanges: 100 });
const sink = new PostgresSink({ id: 'crash-sink', url: to });
const after = await sink.lastApplied(origin, source.id);
const start = after === undefined ? { snapshot: true } : { after };

for await (const captured of source.stream(start)) {
  if (captured.changes.length > 0) {
    const batch: ChangeBatch = {
      id: `${origin}/${source.id}/${captured.resumeAfter}`,
      origin,
      sourceId: source.id,
      position: captured.resumeAfter,
      events: captured.changes.map((change) => ({
        ...change,
        origin,
        sourceId: source.id,
        version: { vv: { [origin]: 1 }, hlc: 0n, writer: origin, deleted: change.op === 'delete' },
      })),
    };
    const outcome = await sink.apply(batch, (incoming) => ({
      kind: 'write',
      row: incoming.op === 'delete' ? null : (incoming.after ?? null),
      version: incoming.version,
    }));
    appendFileSync(log, `${batch.position} ${outcome.applied} ${outcome.alreadyApplied}\n`);
  }
  await source.acknowledge(captured.resumeAfter);
}
