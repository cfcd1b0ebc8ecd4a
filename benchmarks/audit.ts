/**
 * `pnpm bench audit [-- --appends N --batch B --pg-appends N --replay N --proofs N]`: the audit log's hot paths —
 * sustained appends with file storage (fdatasync per batch) and with PostgreSQL storage, entry-to-checkpoint latency
 * (p50/p99, checkpoints cut every 10,000 entries or 500 ms in the background), inclusion-proof verification time, and
 * the verifier's replay of N leaves (default 1,000,000, the count the issue asks for; the count is printed).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  AuditLog,
  type AuditStorage,
  Ed25519Signer,
  encodeLeaf,
  exportJsonLines,
  leafHash,
  PostgresStorage,
  parseTrustPolicy,
  ReplayRoot,
  SegmentFileStorage,
  verifyInclusion,
  verifyReplay,
} from '@worker-sync/audit-signer';
import type { AuditRecord, ChangeEvent } from '@worker-sync/core';
import pg from 'pg';

const ORIGIN = 'bench.example/audit';

/** Runs the audit benchmark and prints its figures. */
export async function run(args: string[]): Promise<void> {
  const appends = intArg(args, '--appends', 200_000);
  const batch = intArg(args, '--batch', 500);
  const pgAppends = intArg(args, '--pg-appends', 50_000);
  const replayCount = intArg(args, '--replay', 1_000_000);
  const proofs = intArg(args, '--proofs', 10_000);
  const signer = Ed25519Signer.generate('bench-2026');
  const dir = await mkdtemp(join(tmpdir(), 'bench-audit-'));
  try {
    const file = await appendRun(
      'file storage',
      await SegmentFileStorage.open({ directory: dir }),
      signer,
      appends,
      batch,
    );
    await proofRun(file.log, proofs);
    const storage = file.storage;
    const notes = await file.log.checkpoints();
    const t0 = performance.now();
    const exported = await exportJsonLines(storage);
    const t1 = performance.now();
    verifyReplay(
      exported,
      notes[notes.length - 1] as string,
      parseTrustPolicy(JSON.stringify({ origin: ORIGIN, keys: [{ key: signer.verifierKey }] })),
    );
    const t2 = performance.now();
    console.log(
      `  export of ${file.log.size} leaves: ${(t1 - t0).toFixed(0)} ms; verify replay of that export (CLI path): ${(t2 - t1).toFixed(0)} ms`,
    );
    await file.log.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  try {
    await pgRun(signer, pgAppends, batch);
  } catch (error) {
    console.log(
      `audit appends, PostgreSQL storage: not measured — ${(error as Error).message} (run \`pnpm services up pg-local\`)`,
    );
  }
  replayRun(replayCount);
}

async function appendRun(label: string, storage: AuditStorage, signer: Ed25519Signer, count: number, batch: number) {
  const log = await AuditLog.open({
    origin: ORIGIN,
    storage,
    signers: [signer],
    checkpointEvery: 10_000,
    checkpointIntervalMs: 500,
  });
  const base = log.size;
  const done: { end: number; at: number }[] = [];
  const latencies: number[] = [];
  const cutDurations: number[] = [];
  let lastCutEnd = performance.now();
  log.onCheckpoint((cp) => {
    const now = performance.now();
    cutDurations.push(now - lastCutEnd);
    while (done.length > 0 && (done[0] as { end: number }).end <= cp.size)
      latencies.push(now - (done.shift() as { at: number }).at);
  });
  const start = performance.now();
  for (let i = 0; i < count; i += batch) {
    const records = Array.from({ length: Math.min(batch, count - i) }, (_, j) => record(base + i + j));
    await log.appendRecords(records);
    done.push({ end: log.size, at: performance.now() });
    lastCutEnd = performance.now();
  }
  const elapsed = (performance.now() - start) / 1000;
  const finalCut = performance.now();
  await log.checkpoint();
  cutDurations.push(performance.now() - finalCut);
  latencies.sort((a, b) => a - b);
  console.log(`audit appends, ${label}: ${count} changes in batches of ${batch}`);
  console.log(`  sustained: ${Math.round(count / elapsed).toLocaleString('en')} appends/s (${elapsed.toFixed(2)} s)`);
  console.log(
    `  entry→checkpoint: p50 ${pct(latencies, 0.5).toFixed(1)} ms, p99 ${pct(latencies, 0.99).toFixed(1)} ms over ${latencies.length} batches`,
  );
  return { log, storage };
}

async function proofRun(log: AuditLog, count: number): Promise<void> {
  const size = log.size;
  const root = log.root();
  const cases = Array.from({ length: count }, (_, i) => {
    const index = (i * 7919) % size;
    return { index, proof: log.inclusionProof(index), leaf: log.leafHash(index) };
  });
  const t0 = performance.now();
  let ok = 0;
  for (const c of cases) if (verifyInclusion(BigInt(c.index), BigInt(size), c.leaf, c.proof, root)) ok++;
  const per = ((performance.now() - t0) / count) * 1000;
  console.log(
    `  inclusion proof verification (tree of ${size}): ${per.toFixed(1)} µs per proof (${ok}/${count} verified)`,
  );
}

async function pgRun(signer: Ed25519Signer, count: number, batch: number): Promise<void> {
  const url = process.env.PG_LOCAL_URL;
  if (url === undefined || url === '') {
    console.log(
      'audit appends, PostgreSQL storage: skipped — PG_LOCAL_URL is not set (run `pnpm services up pg-local`)',
    );
    return;
  }
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const prefix = `bench_audit_${process.pid}`;
  try {
    const storage = await PostgresStorage.open({ pool, tablePrefix: prefix });
    const { log } = await appendRun('PostgreSQL storage', storage, signer, count, batch);
    await log.close();
  } finally {
    for (const t of ['leaves', 'checkpoints']) await pool.query(`DROP TABLE IF EXISTS ${prefix}_${t}`);
    await pool.query(`DROP FUNCTION IF EXISTS ${prefix}_append_only() CASCADE`);
    await pool.end();
  }
}

function replayRun(count: number): void {
  const template = record(0);
  const replay = new ReplayRoot();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    // Leaf bytes as the log writes them; building them is part of the loop, so this slightly overstates replay.
    const leaf = encodeLeaf({
      type: 'change',
      kind: template.kind,
      node: 'node-a',
      origin: 'node-a',
      sourceId: 'pg-main',
      position: String(i).padStart(16, '0'),
      txIndex: 0,
      table: 'public.orders',
      row: `public.orders/${i}`,
      op: 'update',
      commitTimeMicros: String(1_700_000_000_000_000 + i),
      hlc: String(i),
      eventSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    });
    replay.push(leafHash(leaf));
  }
  replay.root();
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `verifier replay: ${count.toLocaleString('en')} leaves in ${seconds.toFixed(2)} s (${Math.round(count / seconds).toLocaleString('en')} leaves/s)`,
  );
}

function record(n: number): AuditRecord {
  const event: ChangeEvent = {
    op: 'update',
    table: { namespace: 'public', name: 'orders' },
    key: [['id', BigInt(n)]],
    after: { id: BigInt(n), status: 'paid', total: { kind: 'decimal', value: '19.99' } },
    position: String(n).padStart(16, '0'),
    tx: { id: `tx${n}`, commitTimeMicros: 1_700_000_000_000_000n + BigInt(n), index: 0, last: true },
    origin: 'node-a',
    sourceId: 'pg-main',
    version: { vv: { 'node-a': n }, hlc: BigInt(n), writer: 'node-a', deleted: false },
  };
  return { kind: 'captured', node: 'node-a', event };
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

function intArg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isSafeInteger(value) || value <= 0) throw new TypeError(`${name} must be a positive integer`);
  return value;
}
