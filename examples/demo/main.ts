/**
 * worker-sync demo: two nodes (`eu` and `us`), each an in-memory database with its own SyncEngine, syncing both
 * ways over the in-process transport (with duplicated and delayed deliveries). Both sides write the same rows at
 * the same time; the report shows what moved, every conflict and how it was settled, per-table digests of both
 * databases, and commit → apply lag. Exits 0 only if both databases end identical.
 *
 * Run: `pnpm demo`
 */
import { randomUUID } from 'node:crypto';
import { type ConflictRecord, columnMerge, InProcessTransport, type Row } from '@worker-sync/core';
import { type DemoNode, demoNode, ORDERS, PRODUCTS, tableDigest } from './demo-node.js';

const transport = new InProcessTransport({ partitions: 4, faults: { duplicate: 0.1, maxDelayMs: 3 } });
const eu = demoNode('eu', transport, columnMerge());
const us = demoNode('us', transport, columnMerge());
const key = (id: bigint) => [['id', id]] as const;
const price = (value: string) => ({ kind: 'decimal' as const, value });
/** The conflicts of step 2, kept to show how each scripted collision was settled. */
const scripted = new Map<string, readonly ConflictRecord[]>();

async function main(): Promise<void> {
  await eu.engine.start();
  await us.engine.start();

  console.log('1. eu creates the catalogue');
  for (let id = 1n; id <= 20n; id++) {
    eu.db.write(PRODUCTS, { id, name: `product ${id}`, price: price('10.00'), stock: 100n });
  }
  await converged();

  console.log('2. both sides edit the same rows at the same time');
  const p1 = eu.db.read(PRODUCTS, key(1n))!;
  const p2 = us.db.read(PRODUCTS, key(1n))!;
  eu.db.write(PRODUCTS, { ...p1, price: price('12.50') }); // eu reprices product 1
  us.db.write(PRODUCTS, { ...p2, stock: 42n }); // us counts stock of product 1: both survive (column merge)
  eu.db.write(PRODUCTS, { ...eu.db.read(PRODUCTS, key(2n))!, name: 'eu name' });
  us.db.write(PRODUCTS, { ...us.db.read(PRODUCTS, key(2n))!, name: 'us name' }); // same column: the later wins
  eu.db.delete(PRODUCTS, key(3n));
  us.db.write(PRODUCTS, { ...us.db.read(PRODUCTS, key(3n))!, stock: 7n }); // delete vs update
  await converged();
  for (const node of [eu, us]) scripted.set(node.id, (await node.engine.status()).conflicts.recent);

  console.log('3. a burst of orders and stock updates on both sides');
  for (let i = 0; i < 2_000; i++) {
    const node = i % 2 === 0 ? eu : us;
    // Both nodes touch the same products in the same rounds, so concurrent stock updates collide.
    const product = BigInt(1 + ((i >> 1) % 20));
    const order: Row = {
      id: { kind: 'uuid', value: randomUUID() },
      product,
      qty: BigInt(1 + (i % 3)),
      placed: { kind: 'timestamp', micros: BigInt(Date.now()) * 1000n, zoned: true },
    };
    node.db.transaction((tx) => {
      tx.write(ORDERS, order);
      const current = tx.read(PRODUCTS, key(product));
      if (current !== undefined) tx.write(PRODUCTS, { ...current, stock: (current.stock as bigint) - 1n });
    });
    if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await converged();

  const ok = await report();
  await eu.engine.stop();
  await us.engine.stop();
  await transport.close();
  process.exitCode = ok ? 0 : 1;
}

/** Waits until both engines are idle, the transport is empty, and every source has checkpointed its log's end. */
async function converged(): Promise<void> {
  const deadline = Date.now() + 60_000;
  let quiet = 0;
  while (Date.now() < deadline) {
    const idle = await Promise.all([eu, us].map(isIdle));
    quiet = idle.every(Boolean) && transport.backlog() === 0 ? quiet + 1 : 0;
    if (quiet >= 3) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const report = await Promise.all(
    [eu, us].map(async (n) => {
      const s = await n.engine.status();
      const source = s.sources[0];
      return `${n.id}: position ${source?.position} of ${n.db.endPosition}, queue ${s.queueDepth}, error ${source?.error}`;
    }),
  );
  throw new Error(
    `the nodes did not go idle within 60 s (${report.join('; ')}; transport backlog ${transport.backlog()})`,
  );
}

async function isIdle(node: DemoNode): Promise<boolean> {
  const status = await node.engine.status();
  return status.queueDepth === 0 && status.sources.every((s) => s.position === node.db.endPosition);
}

async function report(): Promise<boolean> {
  const [se, su] = await Promise.all([eu.engine.status(), us.engine.status()]);
  console.log('\n== events moved');
  for (const s of [se, su]) {
    const source = s.sources[0]!;
    console.log(
      `  ${s.node}: published ${source.published} local changes, recognised ${source.echoes} echoes, applied ${s.applied} remote changes (skipped ${s.skipped} duplicates/echoes), dead letters ${s.deadLetters.count}`,
    );
  }
  console.log('\n== conflicts and how each was settled');
  for (const s of [se, su]) {
    const byOutcome = new Map<string, number>();
    for (const c of s.conflicts.recent) byOutcome.set(c.outcome, (byOutcome.get(c.outcome) ?? 0) + 1);
    const outcomes = [...byOutcome].map(([o, n]) => `${o} ${n}`).join(', ');
    console.log(
      `  ${s.node}: ${s.conflicts.total} conflicts, ${s.conflicts.parked} parked; last ${s.conflicts.recent.length}: ${outcomes}`,
    );
    console.log('    the scripted collisions of step 2:');
    for (const c of scripted.get(s.node) ?? []) {
      console.log(
        `    ${c.table.namespace}.${c.table.name} id=${String(c.key[0]?.[1])}: detected at ${c.detectedAt}, ${c.resolver} → ${c.outcome} (local writer ${c.localWriter}, remote writer ${c.remoteWriter})`,
      );
    }
  }
  console.log('\n== final state');
  let same = true;
  for (const table of [PRODUCTS, ORDERS]) {
    const a = tableDigest(eu.db, table);
    const b = tableDigest(us.db, table);
    same &&= a === b;
    console.log(
      `  ${table.namespace}.${table.name}: eu ${a.slice(0, 16)}… us ${b.slice(0, 16)}… ${a === b ? 'identical' : 'DIFFERENT'} (${eu.db.readAll(table).length} rows)`,
    );
  }
  for (const id of [1n, 2n, 3n]) {
    const show = (r: Row | undefined) =>
      r === undefined ? 'deleted' : JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? Number(v) : v));
    console.log(
      `  product ${id}: eu ${show(eu.db.read(PRODUCTS, key(id)))} | us ${show(us.db.read(PRODUCTS, key(id)))}`,
    );
  }
  const lags = [...eu.latencies, ...us.latencies].sort((x, y) => x - y);
  const pct = (p: number) => lags[Math.min(lags.length - 1, Math.floor((p / 100) * lags.length))] ?? 0;
  console.log(`\n== lag commit → apply over ${lags.length} applied changes: p50 ${pct(50)} ms, p99 ${pct(99)} ms`);
  console.log(same ? '\nCONVERGED: both databases are identical.' : '\nNOT CONVERGED.');
  return same && se.deadLetters.count === 0 && su.deadLetters.count === 0;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
