/**
 * `pnpm bench core [-- --events N]`: the hot paths of core that every change passes through — batch encode and
 * decode (against JSON with a bigint-safe replacer, measured in the same run), canonical event encoding for the
 * audit hash, row identities (checkpoint keys, partitioning), version-vector comparison, and resolver decisions through `settleConflict`.
 *
 * Each figure is the best of three short timed rounds, so the whole suite takes a few seconds.
 */
import { performance } from 'node:perf_hooks';
import {
  type ChangeBatch,
  type ChangeEvent,
  type ConflictResolver,
  type ConflictSide,
  canonicalEncodeEvent,
  columnMerge,
  compareVersionVectors,
  decodeBatch,
  encodeBatch,
  lastWriterWins,
  rowIdentity,
  settleConflict,
  sourcePriority,
  type VersionVector,
} from '@worker-sync/core';

/** Runs the core benchmark and prints its figures. */
export async function run(args: string[]): Promise<void> {
  const perBatch = intArg(args, '--events', 500);
  const batch = benchBatch(perBatch);
  const bytes = encodeBatch(batch);
  const json = toJson(batch);

  const encode = rate(perBatch, () => encodeBatch(batch));
  const decode = rate(perBatch, () => decodeBatch(bytes));
  const jsonEncode = rate(perBatch, () => toJson(batch));
  const jsonDecode = rate(perBatch, () => JSON.parse(json));
  const canonical = rate(perBatch, () => {
    for (const event of batch.events) canonicalEncodeEvent(event);
  });
  const identities = rate(perBatch, () => {
    for (const event of batch.events) rowIdentity(event.table, event.key);
  });
  console.log(`batch of ${perBatch} events, ${Object.keys(batch.events[0]!.after!).length} columns each`);
  console.log(
    `  size            ${(bytes.length / perBatch).toFixed(0)} B/event binary, ${(Buffer.byteLength(json) / perBatch).toFixed(0)} B/event JSON (${ratio(Buffer.byteLength(json), bytes.length)} smaller)`,
  );
  console.log(
    `  encodeBatch     ${fmt(encode)} events/s  (JSON.stringify ${fmt(jsonEncode)}, ${ratio(encode, jsonEncode)})`,
  );
  console.log(
    `  decodeBatch     ${fmt(decode)} events/s  (JSON.parse without type restoration ${fmt(jsonDecode)}, ${ratio(decode, jsonDecode)})`,
  );
  console.log(`  canonicalEncode ${fmt(canonical)} events/s (${(1e6 / canonical).toFixed(2)} µs each)`);
  console.log(`  rowIdentity     ${fmt(identities)} keys/s (${(1e6 / identities).toFixed(2)} µs each)`);

  const vvs: VersionVector[] = Array.from({ length: 64 }, (_, i) => ({
    'node-a': i % 7,
    'node-b': (i * 3) % 5,
    'node-c': 4,
    'node-d': i % 2,
    'node-e': (i * 5) % 11,
  }));
  console.log(
    `  compareVersionVectors ${fmt(
      rate(64 * 64, () => {
        for (const a of vvs) for (const b of vvs) compareVersionVectors(a, b);
      }),
    )} comparisons/s (5-node vectors)`,
  );

  const sides = conflictSides(256);
  const resolvers: [string, ConflictResolver][] = [
    ['last-writer-wins', lastWriterWins],
    ['source-priority', sourcePriority(['node-b', 'node-a'])],
    ['column-merge', columnMerge()],
  ];
  const context = { table: { namespace: 'bench', name: 'orders' }, key: [['id', 1n]] as const };
  for (const [name, resolver] of resolvers) {
    const decisions = rate(sides.length / 2, () => {
      for (let i = 0; i < sides.length; i += 2) settleConflict(resolver, sides[i]!, sides[i + 1]!, context);
    });
    console.log(`  settleConflict ${name.padEnd(17)} ${fmt(decisions)} decisions/s`);
  }
}

/** Operations per second of `fn`, which performs `ops` operations per call: the best of three ~150 ms rounds. */
function rate(ops: number, fn: () => void): number {
  fn();
  let best = 0;
  for (let round = 0; round < 3; round++) {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < 150) {
      fn();
      calls++;
      elapsed = performance.now() - start;
    }
    best = Math.max(best, (calls * ops) / (elapsed / 1000));
  }
  return best;
}

function benchBatch(n: number): ChangeBatch {
  const events: ChangeEvent[] = [];
  for (let i = 0; i < n; i++) {
    events.push({
      op: 'update',
      table: { namespace: 'shop', name: 'orders' },
      key: [['id', BigInt(1_000_000 + i)]],
      after: {
        id: BigInt(1_000_000 + i),
        customer: `customer-${i % 97}@example.com`,
        total: { kind: 'decimal', value: `${(i * 37) % 10_000}.${String(i % 100).padStart(2, '0')}` },
        placed_at: { kind: 'timestamp', micros: 1_700_000_000_000_000n + BigInt(i) * 1_000n, zoned: true },
        paid: i % 3 === 0,
        weight: i * 0.25,
        ref: { kind: 'uuid', value: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` },
        meta: { kind: 'json', value: `{"channel":"web","items":${i % 9}}` },
        note: null,
        status: 'shipped',
      },
      position: `0/${(0x1000000 + i * 64).toString(16).toUpperCase()}`,
      tx: {
        id: String(700 + Math.floor(i / 4)),
        commitTimeMicros: 1_700_000_000_000_000n + BigInt(i),
        index: i % 4,
        last: i % 4 === 3,
      },
      origin: 'node-a',
      sourceId: 'pg',
      version: {
        vv: { 'node-a': 10 + i, 'node-b': 3 },
        hlc: (1_700_000_000_000n + BigInt(i)) << 16n,
        writer: 'node-a',
        deleted: false,
      },
    });
  }
  return { id: 'node-a/pg/0/0', origin: 'node-a', sourceId: 'pg', events, position: events.at(-1)?.position ?? '0/0' };
}

function conflictSides(n: number): ConflictSide[] {
  return Array.from({ length: n }, (_, i) => ({
    row: { id: 1n, name: `name-${i % 5}`, price: { kind: 'decimal', value: `${i}.00` }, stock: BigInt(i % 13) },
    version: {
      vv: { [`node-${'abc'[i % 3]}`]: i + 1 },
      hlc: BigInt(1_700_000_000_000 + (i % 17)) << 16n,
      writer: `node-${'abc'[i % 3]}`,
      deleted: false,
      columns: { name: BigInt(i % 7), price: BigInt(i % 11), stock: BigInt(i % 5) },
    },
  }));
}

function toJson(batch: ChangeBatch): string {
  return JSON.stringify(batch, (_, v) => (typeof v === 'bigint' ? v.toString() : v));
}

function fmt(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(0);
}

function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`;
}

function intArg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const value = i === -1 ? fallback : Number(args[i + 1]);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}
