/**
 * Invariant: replicas converge. N (2–5) simulated replicas each hold a row map; random writes (updates of some
 * columns, inserts, deletes) happen at random replicas, each replica stamping with its own HLC (wall clocks
 * skewed and jumping) and incrementing its own vector entry; every write is sent to every other replica and
 * delivered in random order, duplicated and delayed. Each replica applies with the engine's decider rule: skip
 * when the incoming vector is dominated or equal, take it when it dominates, settleConflict when concurrent.
 * Once delivery completes, all replicas hold the same rows with the same versions.
 *
 * Failures print a seed; rerun one with `FC_SEED=<seed> pnpm vitest run --project unit packages/core/src/resolve`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HybridLogicalClock } from '../clock/hybrid-logical-clock.js';
import { compareVersionVectors, incrementVersionVector } from '../clock/version-vector.js';
import type { ConflictResolver, ConflictSide } from '../interfaces/conflict-resolver.js';
import type { NodeId, RowVersion } from '../model/change-event.js';
import type { Row, Value } from '../model/value.js';
import { columnMerge } from './column-merge.js';
import { stampColumns } from './column-stamps.js';
import { lastWriterWins } from './last-writer-wins.js';
import { sameState } from './resolver-arbitraries.js';
import { settleConflict } from './settle-conflict.js';
import { sourcePriority } from './source-priority.js';

const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const options = { numRuns: 1000, ...(seed === undefined ? {} : { seed }) };
const table = { namespace: 'app', name: 'items' };

type Step =
  | {
      readonly kind: 'write';
      readonly replica: number;
      readonly key: number;
      readonly delete: boolean;
      readonly set: Row;
    }
  | { readonly kind: 'deliver'; readonly pick: number; readonly duplicate: boolean }
  | { readonly kind: 'tick'; readonly millis: number };

interface Message {
  readonly to: number;
  readonly key: number;
  readonly side: ConflictSide;
}

const value: fc.Arbitrary<Value> = fc.oneof(fc.bigInt(0n, 5n), fc.constantFrom('x', 'y', null));

function stepArb(replicas: number, deletes: boolean): fc.Arbitrary<Step> {
  return fc.oneof(
    fc.record({
      kind: fc.constant('write' as const),
      replica: fc.nat(replicas - 1),
      key: fc.nat(2),
      delete: deletes ? fc.boolean() : fc.constant(false),
      set: fc.dictionary(fc.constantFrom('p', 'q', 'r'), value, { minKeys: 1, maxKeys: 2, noNullPrototype: true }),
    }),
    fc.record({ kind: fc.constant('deliver' as const), pick: fc.nat(), duplicate: fc.boolean() }),
    fc.record({ kind: fc.constant('tick' as const), millis: fc.integer({ min: -3, max: 3 }) }),
  );
}

class Replica {
  readonly rows = new Map<number, ConflictSide>();
  readonly clock: HybridLogicalClock;

  constructor(
    readonly node: NodeId,
    wall: () => number,
    private readonly resolver: ConflictResolver,
  ) {
    this.clock = new HybridLogicalClock({ now: wall, maxDriftMillis: 1_000_000 });
  }

  /** A local write: stamped from the current version, changed columns stamped with the new HLC. */
  write(key: number, remove: boolean, set: Row): ConflictSide {
    const current = this.rows.get(key);
    const hlc = this.clock.now();
    const vv = incrementVersionVector(current?.version.vv ?? {}, this.node);
    let side: ConflictSide;
    if (remove) {
      side = { row: null, version: { vv, hlc, writer: this.node, deleted: true } };
    } else {
      const row = { ...(current?.row ?? {}), ...set };
      const columns = stampColumns(current, row, hlc);
      side = { row, version: { vv, hlc, writer: this.node, deleted: false, columns } };
    }
    this.rows.set(key, side);
    return side;
  }

  /** The engine's decider rule. */
  apply(key: number, incoming: ConflictSide): void {
    this.clock.observe(incoming.version.hlc);
    const current = this.rows.get(key);
    if (current === undefined) {
      this.rows.set(key, incoming);
      return;
    }
    const causality = compareVersionVectors(incoming.version.vv, current.version.vv);
    if (causality === 'before' || causality === 'equal') return;
    if (causality === 'after') {
      this.rows.set(key, incoming);
      return;
    }
    const settled = settleConflict(this.resolver, current, incoming, { table, key: [['id', BigInt(key)]] });
    this.rows.set(key, { row: settled.row, version: settled.version as RowVersion });
  }
}

function simulate(resolver: ConflictResolver, replicaCount: number, skews: number[], steps: Step[], drain: number[]) {
  let now = 1_000;
  const replicas = Array.from(
    { length: replicaCount },
    (_, i) => new Replica(`n${i}`, () => Math.max(0, now + skews[i]!), resolver),
  );
  const inFlight: Message[] = [];
  const deliver = (index: number, duplicate: boolean) => {
    const message = inFlight[index]!;
    if (!duplicate) inFlight.splice(index, 1);
    replicas[message.to]!.apply(message.key, message.side);
  };
  for (const step of steps) {
    if (step.kind === 'tick') {
      now += step.millis;
    } else if (step.kind === 'write') {
      const side = replicas[step.replica]!.write(step.key, step.delete, step.set);
      for (let to = 0; to < replicaCount; to++) if (to !== step.replica) inFlight.push({ to, key: step.key, side });
    } else if (inFlight.length > 0) {
      deliver(step.pick % inFlight.length, step.duplicate);
    }
  }
  let d = 0;
  while (inFlight.length > 0) deliver((drain[d++ % Math.max(1, drain.length)] ?? 0) % inFlight.length, false);
  return replicas;
}

function expectConverged(replicas: Replica[]): void {
  const [first, ...others] = replicas;
  for (const other of others) {
    expect([...other.rows.keys()].sort()).toEqual([...first!.rows.keys()].sort());
    for (const [key, side] of first!.rows) {
      const mine = other.rows.get(key)!;
      if (!sameState(side, mine)) {
        expect({ replica: other.node, key, state: mine }).toEqual({ replica: first!.node, key, state: side });
      }
    }
  }
}

function scenario(replicas: fc.Arbitrary<number>, deletes: boolean) {
  return replicas.chain((n) =>
    fc.tuple(
      fc.constant(n),
      fc.array(fc.integer({ min: -5, max: 5 }), { minLength: n, maxLength: n }),
      fc.array(stepArb(n, deletes), { minLength: 5, maxLength: 80, size: 'medium' }),
      fc.array(fc.nat(), { maxLength: 20 }),
    ),
  );
}

const cases: readonly (readonly [string, ConflictResolver, fc.Arbitrary<number>, boolean])[] = [
  ['last-writer-wins', lastWriterWins, fc.integer({ min: 2, max: 5 }), true],
  // Source priority converges when at most two nodes write (see its TSDoc for the three-writer caveat).
  ['source-priority', sourcePriority(['n1', 'n0']), fc.constant(2), true],
  // Column merge converges for concurrent updates; deletions have a documented limit.
  ['column-merge', columnMerge(), fc.integer({ min: 2, max: 5 }), false],
];

describe.each(cases)('%s', (_name, resolver, replicaCount, deletes) => {
  it('makes all replicas identical once delivery completes', () => {
    fc.assert(
      fc.property(scenario(replicaCount, deletes), ([n, skews, steps, drain]) => {
        expectConverged(simulate(resolver, n, skews, steps, drain));
      }),
      options,
    );
  });
});
