import type { PgoutputMessage, PgoutputRelation } from 'pgwire';
import { describe, expect, it } from 'vitest';
import { PgoutputTransactionAssembler } from './pgoutput-transaction.js';
import { SINK_MESSAGE_PREFIX } from './postgres-metadata.js';

const items: PgoutputRelation = {
  relationOid: 1,
  schema: 'public',
  name: 'items',
  replicaIdentity: 'default',
  columns: [
    { flags: 1, name: 'id', typeOid: 20 },
    { flags: 0, name: 'body', typeOid: 25 },
  ],
};
const shadow: PgoutputRelation = {
  relationOid: 2,
  schema: 'worker_sync',
  name: 'row_versions',
  replicaIdentity: 'default',
  columns: [],
};

const begin = (xid: number): PgoutputMessage => ({
  tag: 'begin',
  lsn: null,
  commitLsn: '00000000/00000100',
  commitTime: 5n,
  xid,
});
const commit: PgoutputMessage = { tag: 'commit', lsn: '00000000/00000110', commitEndLsn: '00000000/00000110' };

function feedAll(assembler: PgoutputTransactionAssembler, messages: PgoutputMessage[]) {
  return messages.flatMap((m) => assembler.feed(m));
}

describe('PgoutputTransactionAssembler', () => {
  it('marks the last change of a transaction and keeps the commit position', () => {
    const a = new PgoutputTransactionAssembler();
    const out = feedAll(a, [
      begin(7),
      { tag: 'insert', lsn: null, relation: items, afterRaw: { id: '1', body: 'x' } },
      { tag: 'delete', lsn: null, relation: items, beforeRaw: { id: '2', body: undefined } },
      commit,
    ]);
    expect(out.map((c) => [c.op, c.tx.index, c.tx.last, c.tx.id])).toEqual([
      ['insert', 0, false, '7'],
      ['delete', 1, true, '7'],
    ]);
    expect(out[1]!.before).toEqual({ id: 2n });
    expect(a.lastCommitEnd).toBe('00000000/00000110');
  });

  it('lists unchanged TOAST columns and omits them from the row', () => {
    const a = new PgoutputTransactionAssembler();
    const [change] = feedAll(a, [
      begin(1),
      { tag: 'update', lsn: null, relation: items, afterRaw: { id: '1', body: undefined } },
      commit,
    ]);
    expect(change!.unchanged).toEqual(['body']);
    expect(change!.after).toEqual({ id: 1n });
  });

  it('attaches the co-written version to data changes of a sink transaction only', () => {
    const a = new PgoutputTransactionAssembler();
    const version = {
      tag: 'insert' as const,
      lsn: null,
      relation: shadow,
      afterRaw: { table_name: 'public.items', row_key: '["1"]', vv: '{"n":2}', hlc: '9', writer: 'n', deleted: 'f' },
    };
    const sinkTx = feedAll(a, [
      begin(1),
      { tag: 'message', lsn: null, transactional: true, prefix: SINK_MESSAGE_PREFIX, content: new Uint8Array() },
      version,
      { tag: 'insert', lsn: null, relation: items, afterRaw: { id: '1', body: 'x' } },
      commit,
    ]);
    expect(sinkTx[0]!.applied).toEqual({ vv: { n: 2 }, hlc: 9n, writer: 'n', deleted: false });
    const localTx = feedAll(a, [
      begin(2),
      version,
      { tag: 'insert', lsn: null, relation: items, afterRaw: { id: '1', body: 'y' } },
      commit,
    ]);
    expect(localTx[0]!.applied).toBeUndefined();
  });

  it('turns a primary-key update into a delete and an insert', () => {
    const a = new PgoutputTransactionAssembler();
    const out = feedAll(a, [
      begin(1),
      {
        tag: 'update',
        lsn: null,
        relation: items,
        beforeRaw: { id: '1', body: undefined },
        afterRaw: { id: '9', body: 'x' },
      },
      commit,
    ]);
    expect(out.map((c) => [c.op, c.key])).toEqual([
      ['delete', [['id', 1n]]],
      ['insert', [['id', 9n]]],
    ]);
  });
});
