import { describe, expect, it } from 'vitest';
import type { ChangeEvent, RowVersion } from '../model/change-event.js';
import { rowIdentity } from '../model/row-identity.js';
import { lastWriterWins } from '../resolve/last-writer-wins.js';
import { remoteDecider, writeBackDecider } from './apply-decider.js';
import type { ConflictRecord } from './log-judge.js';
import type { ViewEntry } from './log-view.js';

const table = { namespace: 'app', name: 'items' };
const key = [['id', 1n]] as const;
const v = (vv: Record<string, number>, hlc: bigint, writer: string, deleted = false): RowVersion => ({
  vv,
  hlc,
  writer,
  deleted,
});
const incoming = (version: RowVersion, name: string): ChangeEvent => ({
  op: 'update',
  table,
  key,
  after: { id: 1n, name },
  position: '1',
  tx: { id: 't', commitTimeMicros: 0n, index: 0, last: true },
  origin: version.writer,
  sourceId: 's',
  version,
});

function decider(view?: ViewEntry) {
  const conflicts: ConflictRecord[] = [];
  const decide = remoteDecider({
    resolver: lastWriterWins,
    viewOf: (id) => (id === rowIdentity(table, key) ? view : undefined),
    onConflict: (record) => conflicts.push(record),
  });
  return { decide, conflicts };
}

describe('remoteDecider', () => {
  const stored = { row: { id: 1n, name: 'here' }, version: v({ a: 2 }, 20n, 'a') };

  it('skips what is known (duplicates, echoes, older) and writes what dominates', () => {
    const { decide } = decider();
    expect(decide(incoming(v({ a: 1 }, 10n, 'a'), 'old'), stored)).toEqual({ kind: 'skip' });
    expect(decide(incoming(v({ a: 2 }, 20n, 'a'), 'same'), stored)).toEqual({ kind: 'skip' });
    const newer = v({ a: 2, b: 1 }, 30n, 'b');
    expect(decide(incoming(newer, 'new'), stored)).toEqual({
      kind: 'write',
      row: { id: 1n, name: 'new' },
      version: newer,
    });
    expect(decide(incoming(newer, 'new'), undefined)).toMatchObject({ kind: 'write' });
  });

  it('settles concurrent versions: keep when the local side wins, write the winner otherwise', () => {
    const { decide, conflicts } = decider();
    expect(decide(incoming(v({ b: 1 }, 10n, 'b'), 'older'), stored)).toEqual({
      kind: 'keep',
      version: v({ a: 2, b: 1 }, 20n, 'a'),
    });
    expect(decide(incoming(v({ b: 1 }, 99n, 'b'), 'newer'), stored)).toEqual({
      kind: 'write',
      row: { id: 1n, name: 'newer' },
      version: v({ a: 2, b: 1 }, 99n, 'b'),
    });
    expect(conflicts.map((c) => [c.detectedAt, c.outcome])).toEqual([
      ['apply', 'local'],
      ['apply', 'remote'],
    ]);
  });

  it('judges against a local write the log view knows but the shadow version does not', () => {
    const view = { version: v({ a: 3 }, 40n, 'a'), row: { id: 1n, name: 'local edit' } };
    const { decide } = decider(view);
    // Dominates the stored version, but is concurrent with the local write already judged.
    const decision = decide(incoming(v({ a: 2, b: 1 }, 30n, 'b'), 'remote'), stored);
    expect(decision).toEqual({
      kind: 'write',
      row: { id: 1n, name: 'local edit' },
      version: v({ a: 3, b: 1 }, 40n, 'a'),
    });
  });
});

describe('remoteDecider without a log view (a node with only sinks)', () => {
  it('decides on the stored version alone', () => {
    const decide = remoteDecider({ resolver: lastWriterWins, onConflict: () => undefined });
    const stored = { row: { id: 1n, name: 'here' }, version: v({ a: 2 }, 20n, 'a') };
    expect(decide(incoming(v({ a: 2 }, 20n, 'a'), 'same'), stored)).toEqual({ kind: 'skip' });
    expect(decide(incoming(v({ a: 3 }, 30n, 'a'), 'new'), stored)).toMatchObject({ kind: 'write' });
    expect(decide(incoming(v({ a: 1 }, 10n, 'a'), 'first'), undefined)).toMatchObject({ kind: 'write' });
  });
});

describe('writeBackDecider', () => {
  it('writes only while the row still holds the sink write that triggered the settlement', () => {
    const trigger = v({ b: 1 }, 10n, 'b');
    const decide = writeBackDecider(new Map([[rowIdentity(table, key), trigger]]));
    const settled = incoming(v({ a: 1, b: 1 }, 20n, 'a'), 'settled');
    expect(decide(settled, { row: { id: 1n }, version: trigger })).toMatchObject({ kind: 'write' });
    expect(decide(settled, { row: { id: 1n }, version: v({ b: 2 }, 30n, 'b') })).toEqual({ kind: 'skip' });
  });
});
