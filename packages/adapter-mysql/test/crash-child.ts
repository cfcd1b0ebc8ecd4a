/**
 * A pipeline process for the kill -9 test: MySqlSource on table A → MySqlSink into table B, resuming from the
 * position the sink co-wrote with the data (so the checkpoint is exactly as durable as the rows). Every applied
 * batch is appended to a log file, so the test can tell a doubled batch from a redelivered one.
 */
import { appendFileSync } from 'node:fs';
import type { ChangeBatch } from '@worker-sync/core';
import { MySqlSink, MySqlSource } from '../src/index.js';

const [url, from, to, log] = [
  process.env.MYSQL_URL!,
  process.env.CRASH_FROM!,
  process.env.CRASH_TO!,
  process.env.CRASH_LOG!,
];
const origin = 'crash-node';
const source = new MySqlSource({ id: `crash-${from}`, url, tables: [from], heartbeatSeconds: 1 });
const sink = new MySqlSink({ id: 'crash-sink', url, statementRows: 50 });
const after = await sink.lastApplied(origin, source.id);
const start = after === undefined ? { snapshot: true } : { after };

for await (const captured of source.stream(start)) {
  if (captured.changes.length === 0) continue;
  const batch: ChangeBatch = {
    id: `${origin}/${source.id}/${captured.resumeAfter}`,
    origin,
    sourceId: source.id,
    position: captured.resumeAfter,
    events: captured.changes.map((change) => ({
      ...change,
      table: { namespace: change.table.namespace, name: to },
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
