import { describe, expect, it } from 'vitest';
import { ConnectionError } from '../errors.js';
import { lastWriterWins } from '../resolve/last-writer-wins.js';
import { CLUSTER_TABLE as T, TestCluster } from './test-cluster.js';

const key = (id: bigint) => [['id', id]] as const;
const first = () => 0;

/** Counts the sink writes (changes with `applied`) a node's log holds for a row. */
function sinkWrites(cluster: TestCluster, node: number, id: bigint): number {
  let count = 0;
  for (const entry of cluster.nodes[node]!.db.entriesAfter('')) {
    for (const change of entry.changes) if (change.applied && change.key[0]?.[1] === id) count += 1;
  }
  return count;
}

describe('SyncEngine', () => {
  it('never republishes its own sink writes (echoes)', async () => {
    const cluster = new TestCluster(2, lastWriterWins);
    await cluster.start();
    cluster.nodes[0]!.db.write(T, { id: 1n, name: 'a', qty: 1n });
    await cluster.drain(first);
    const [s0, s1] = await Promise.all(cluster.nodes.map((n) => n.engine.status()));
    expect(s0!.sources[0]).toMatchObject({ published: 1, echoes: 0 });
    expect(s1!.sources[0]).toMatchObject({ published: 0, echoes: 1 });
    expect(cluster.transport.backlog()).toBe(0);
    expect(cluster.nodes[1]!.db.read(T, key(1n))).toEqual({ id: 1n, name: 'a', qty: 1n });
  });

  it('settles a remote apply that raced with an unprocessed local write, and both sides converge', async () => {
    const cluster = new TestCluster(2, lastWriterWins);
    await cluster.start();
    const [n0, n1] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    n0.db.write(T, { id: 1n, name: 'from n0', qty: 1n });
    n0.source.release();
    await cluster.settle();
    cluster.advance(5);
    // n1 writes the same row, but its engine has not read that write from its log yet.
    n1.db.write(T, { id: 1n, name: 'from n1', qty: 2n });
    await cluster.transport.step(first);
    await cluster.settle();
    // The sink overwrote the unprocessed local write; the log still has it.
    expect(n1.db.read(T, key(1n))).toMatchObject({ name: 'from n0' });
    n1.source.release();
    await cluster.settle();
    const status = await n1.engine.status();
    expect(status.conflicts.recent).toEqual([
      expect.objectContaining({ detectedAt: 'capture', outcome: 'local', resolver: 'last-writer-wins' }),
    ]);
    // The later local write won and was written back locally: no silent loss.
    expect(n1.db.read(T, key(1n))).toMatchObject({ name: 'from n1' });
    await cluster.drain(first);
    expect(n0.db.read(T, key(1n))).toMatchObject({ name: 'from n1' });
    const [a, b] = await Promise.all([cluster.snapshot(n0), cluster.snapshot(n1)]);
    expect(b).toEqual(a);
  });

  it('settles a concurrent incoming change inside the sink transaction (apply-time conflict)', async () => {
    const cluster = new TestCluster(2, lastWriterWins);
    await cluster.start();
    const [n0, n1] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    n1.db.write(T, { id: 1n, name: 'n1 first', qty: 1n });
    n1.source.release();
    await cluster.settle();
    cluster.advance(5);
    n0.db.write(T, { id: 1n, name: 'n0 later', qty: 2n });
    await cluster.drain(first);
    const conflicts = [...(await n0.engine.status()).conflicts.recent, ...(await n1.engine.status()).conflicts.recent];
    expect(conflicts.map((c) => c.detectedAt)).toEqual(['apply', 'apply']);
    expect(n0.db.read(T, key(1n))).toMatchObject({ name: 'n0 later' });
    expect(n1.db.read(T, key(1n))).toMatchObject({ name: 'n0 later' });
    expect(await cluster.snapshot(n1)).toEqual(await cluster.snapshot(n0));
  });

  it('loses nothing and applies nothing twice across a crash after publish and a receiver restart', async () => {
    const cluster = new TestCluster(2, lastWriterWins, { duplicate: 1, random: first });
    await cluster.start();
    const [n0, n1] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    const commit = n0.checkpoints.commit.bind(n0.checkpoints);
    let failures = 1;
    n0.checkpoints.commit = async (...args) => {
      if (failures-- > 0) throw new Error('crash between publish and checkpoint');
      return commit(...args);
    };
    for (let id = 1n; id <= 3n; id++) n0.db.write(T, { id, name: `row ${id}`, qty: id });
    n0.source.release();
    // The first attempt published and then failed to checkpoint; the loop restarts from the old checkpoint.
    await new Promise((resolve) => setTimeout(resolve, 400));
    await cluster.settle();
    expect((await n0.engine.status()).sources[0]!.published).toBeGreaterThanOrEqual(3);
    await cluster.transport.step(first);
    await cluster.restart(n1, false);
    for (let id = 4n; id <= 5n; id++) n0.db.write(T, { id, name: `row ${id}`, qty: id });
    await cluster.drain(first);
    expect(n1.db.readAll(T).map((r) => r.id)).toEqual([1n, 2n, 3n, 4n, 5n]);
    for (let id = 1n; id <= 5n; id++) expect(sinkWrites(cluster, 1, id)).toBe(1);
    expect(await cluster.snapshot(n1)).toEqual(await cluster.snapshot(n0));
  });

  it('dead-letters a change the sink rejects and applies the rest of its batch', async () => {
    const cluster = new TestCluster(2, lastWriterWins);
    await cluster.start();
    const [n0, n1] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    n0.db.transaction((tx) => {
      tx.write(T, { id: 1n, name: 'fine', qty: 1n });
      tx.write(T, { id: 2n, name: 'also fine', qty: 2n });
    });
    // One change arrives with a value n1's int64 column cannot hold.
    const apply = n1.sink.apply.bind(n1.sink);
    n1.sink.apply = (batch, decide) =>
      apply(
        {
          ...batch,
          events: batch.events.map((e) => (e.key[0]?.[1] === 2n ? { ...e, after: { ...e.after, qty: 'two' } } : e)),
        },
        decide,
      );
    await cluster.drain(first);
    expect(n1.db.read(T, key(1n))).toMatchObject({ name: 'fine' });
    expect(n1.db.read(T, key(2n))).toBeUndefined();
    const letters = await n1.deadLetters.list();
    expect(letters).toHaveLength(1);
    expect(letters[0]!.reason).toMatch(/app\.items.*qty|qty.*app\.items/);
    expect((await n1.engine.status()).deadLetters.count).toBe(1);
  });

  it('redelivers after a retriable sink failure', async () => {
    const cluster = new TestCluster(2, lastWriterWins);
    await cluster.start();
    const [n0, n1] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    let failures = 2;
    n1.sink.injectFault(() => (failures-- > 0 ? new ConnectionError('connection reset') : undefined));
    n0.db.write(T, { id: 1n, name: 'a', qty: 1n });
    await cluster.drain(first);
    expect(n1.db.read(T, key(1n))).toMatchObject({ name: 'a' });
    expect(await n1.deadLetters.list()).toEqual([]);
  });

  it('pauses and resumes', async () => {
    const cluster = new TestCluster(2, lastWriterWins);
    await cluster.start();
    const [n0, n1] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    n0.engine.pause();
    expect(n0.engine.health()).toMatchObject({ live: true, ready: false });
    n0.db.write(T, { id: 1n, name: 'a', qty: 1n });
    n0.source.release();
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    expect((await n0.engine.status()).sources[0]!.published).toBe(0);
    n0.engine.resume();
    await cluster.drain(first);
    expect(n1.db.read(T, key(1n))).toMatchObject({ name: 'a' });
    expect(n0.engine.readiness()).toBe(true);
  });

  it('parks conflicts in the manual queue and publishes a decision that wins everywhere', async () => {
    const cluster = new TestCluster(2, { name: 'manual', resolve: () => ({ kind: 'park' }) });
    await cluster.start();
    const [n0, n1] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    n0.db.write(T, { id: 1n, name: 'n0', qty: 1n });
    n1.db.write(T, { id: 1n, name: 'n1', qty: 2n });
    await cluster.drain(first);
    const status = await n0.engine.status();
    expect(status.conflicts.parked).toBe(1);
    // Provisionally both hold the same (last writer) state while a person decides.
    expect(n0.db.read(T, key(1n))).toEqual(n1.db.read(T, key(1n)));
    const [parked] = cluster.queues.get('n0')!.list();
    await n0.engine.decide(parked!.id, { id: 1n, name: 'decided', qty: 3n });
    await cluster.drain(first);
    expect(n0.db.read(T, key(1n))).toEqual({ id: 1n, name: 'decided', qty: 3n });
    expect(n1.db.read(T, key(1n))).toEqual({ id: 1n, name: 'decided', qty: 3n });
    expect((await n0.engine.status()).conflicts.parked).toBe(0);
  });

  it('replays from a position by republishing current state, which receivers already have', async () => {
    const cluster = new TestCluster(2, lastWriterWins);
    await cluster.start();
    const [n0, n1] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    const start = n0.db.endPosition;
    for (let id = 1n; id <= 3n; id++) n0.db.write(T, { id, name: `v1-${id}`, qty: id });
    n0.db.write(T, { id: 1n, name: 'v2-1', qty: 1n });
    await cluster.drain(first);
    const before = await n1.engine.status();
    await n0.engine.replay('db', start);
    await cluster.drain(first);
    const after = await n1.engine.status();
    expect(after.applied).toBe(before.applied);
    expect(after.skipped).toBeGreaterThan(before.skipped);
    expect(n1.db.read(T, key(1n))).toMatchObject({ name: 'v2-1' });
    expect(await cluster.snapshot(n1)).toEqual(await cluster.snapshot(n0));
  });
});
