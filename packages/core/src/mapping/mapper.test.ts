import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalEncodeValue } from '../codec/canonical-encoding.js';
import { ConfigurationError, MappingError } from '../errors.js';
import type { CapturedChange, ChangeEvent } from '../model/change-event.js';
import { Mapper } from './mapper.js';

const customers = { namespace: 'public', name: 'customers' };
const tx = { id: '1', commitTimeMicros: 0n, index: 0, last: true };

function change(overrides: Partial<CapturedChange> = {}): CapturedChange {
  return {
    op: 'update',
    table: customers,
    key: [['id', 7n]],
    after: { id: 7n, email: 'a@b.c', name: 'Ann', notes: 'vip', phone: null },
    before: { id: 7n, email: 'old@b.c', name: 'Ann', notes: 'x', phone: null },
    unchanged: ['bio', 'notes'],
    position: '0001',
    tx,
    ...overrides,
  };
}

describe('Mapper', () => {
  it('renames table and columns, filters columns and maps before, after, unchanged', () => {
    const mapper = new Mapper({
      routes: [
        {
          source: customers,
          target: { namespace: 'crm', name: 'clients' },
          columns: { rename: { email: 'mail', id: 'client_id' }, exclude: ['notes'] },
        },
      ],
    });
    const mapped = mapper.mapChange(change())!;
    expect(mapped.table).toEqual({ namespace: 'crm', name: 'clients' });
    expect(mapped.key).toEqual([['client_id', 7n]]);
    expect(mapped.after).toEqual({ client_id: 7n, mail: 'a@b.c', name: 'Ann', phone: null });
    expect(mapped.before).toEqual({ client_id: 7n, mail: 'old@b.c', name: 'Ann', phone: null });
    expect(mapped.unchanged).toEqual(['bio']);
    expect(mapped.position).toBe('0001');
  });

  it('keeps only allowed columns, and always the key', () => {
    const mapper = new Mapper({ routes: [{ source: customers, columns: { include: ['name'], exclude: ['id'] } }] });
    expect(mapper.mapChange(change())!.after).toEqual({ id: 7n, name: 'Ann' });
  });

  it('masks, hashes (HMAC-SHA256, deterministic), encrypts and runs custom transforms, keeping null', () => {
    const mapper = new Mapper(
      {
        routes: [
          {
            source: customers,
            columns: {
              transforms: {
                email: { kind: 'hash' },
                name: { kind: 'mask' },
                notes: { kind: 'encrypt' },
                phone: { kind: 'mask', with: 'hidden' },
                bio: { kind: 'custom', name: 'upper' },
              },
            },
          },
        ],
      },
      {
        hashKey: 'k1',
        encrypt: (value, ctx) => `enc(${ctx.column}:${String(value)})`,
        transforms: { upper: (value) => String(value).toUpperCase() },
      },
    );
    const after = mapper.mapChange(
      change({ after: { id: 7n, email: 'a@b.c', name: 'Ann', notes: 'vip', phone: null, bio: 'hi' } }),
    )!.after!;
    const expectedHash = createHmac('sha256', 'k1').update(canonicalEncodeValue('a@b.c')).digest('hex');
    expect(after).toEqual({
      id: 7n,
      email: expectedHash,
      name: '***',
      notes: 'enc(notes:vip)',
      phone: null,
      bio: 'HI',
    });
    expect(mapper.mapChange(change())!.after!.email).toBe(expectedHash);
  });

  it('refuses to mask a key column and names it', () => {
    const mapper = new Mapper({ routes: [{ source: customers, columns: { transforms: { id: { kind: 'mask' } } } }] });
    expect(() => mapper.mapChange(change())).toThrow(MappingError);
    expect(() => mapper.mapChange(change())).toThrow('public.customers.id');
  });

  it('names table and column when a host transform fails, without the value', () => {
    const mapper = new Mapper(
      { routes: [{ source: customers, columns: { transforms: { email: { kind: 'encrypt' } } } }] },
      {
        encrypt: () => {
          throw new Error('kms down');
        },
      },
    );
    const error = (() => {
      try {
        mapper.mapChange(change());
      } catch (e) {
        return e as MappingError;
      }
    })()!;
    expect(error.message).toBe('transform of public.customers.email failed');
    expect(error.where).toEqual({ table: 'public.customers', column: 'email' });
  });

  it('maps a single-column key to _id and back', () => {
    const toMongo = new Mapper({ routes: [{ source: customers, key: { mode: 'to-document-id' } }] });
    const doc = toMongo.mapChange(change())!;
    expect(doc.key).toEqual([['_id', 7n]]);
    expect(doc.after).toEqual({ _id: 7n, email: 'a@b.c', name: 'Ann', notes: 'vip', phone: null });
    const back = new Mapper({ routes: [{ source: customers, key: { mode: 'from-document-id', columns: ['id'] } }] });
    const row = back.mapChange(doc)!;
    expect(row.key).toEqual([['id', 7n]]);
    expect(row.after).toEqual({ id: 7n, email: 'a@b.c', name: 'Ann', notes: 'vip', phone: null });
  });

  it('maps a composite key to an _id document in key order and back', () => {
    const composite = change({
      key: [
        ['tenant', 3n],
        ['id', 7n],
      ],
      after: { tenant: 3n, id: 7n, name: 'Ann' },
    });
    delete (composite as { before?: unknown }).before;
    const doc = new Mapper({ routes: [{ source: customers, key: { mode: 'to-document-id' } }] }).mapChange(composite)!;
    const id = { kind: 'document', fields: { tenant: 3n, id: 7n } };
    expect(doc.key).toEqual([['_id', id]]);
    expect(Object.keys((doc.key[0]![1] as { fields: object }).fields)).toEqual(['tenant', 'id']);
    expect(doc.after).toEqual({ _id: id, name: 'Ann' });
    const back = new Mapper({
      routes: [{ source: customers, key: { mode: 'from-document-id', columns: ['tenant', 'id'] } }],
    });
    expect(back.mapChange(doc)!.key).toEqual(composite.key);
    expect(back.mapChange(doc)!.after).toEqual({ name: 'Ann', tenant: 3n, id: 7n });
    const bad = { ...doc, key: [['_id', { kind: 'document', fields: { tenant: 3n } }]] } as CapturedChange;
    expect(() => back.mapChange(bad)).toThrow('public.customers: _id lacks key field id');
  });

  it('renames per-column stamps of the row version and keeps the rest of an event', () => {
    const event: ChangeEvent = {
      ...change(),
      origin: 'n1',
      sourceId: 's',
      version: { vv: { n1: 2 }, hlc: 5n, writer: 'n1', deleted: false, columns: { email: 4n, notes: 3n } },
    };
    const mapper = new Mapper({
      routes: [{ source: customers, columns: { rename: { email: 'mail' }, exclude: ['notes'] } }],
    });
    const mapped = mapper.mapChange(event)!;
    expect(mapped.version).toEqual({ vv: { n1: 2 }, hlc: 5n, writer: 'n1', deleted: false, columns: { mail: 4n } });
    expect(mapped.origin).toBe('n1');
  });

  it('passes unmatched tables through by default and drops them with unmatched: skip', () => {
    const other = change({ table: { namespace: 'public', name: 'orders' } });
    expect(new Mapper({}).mapChange(other)).toBe(other);
    const skipping = new Mapper({ unmatched: 'skip', routes: [{ source: customers }] });
    expect(skipping.mapChange(other)).toBeUndefined();
    expect(skipping.mapTable(customers)).toEqual(customers);
    expect(skipping.mapTable(other.table)).toBeUndefined();
  });

  it('maps a truncate by table only', () => {
    const mapper = new Mapper({
      routes: [{ source: customers, target: { namespace: 'x', name: 'y' }, key: { mode: 'to-document-id' } }],
    });
    const truncate = change({ op: 'truncate', key: [] });
    delete (truncate as { after?: unknown }).after;
    delete (truncate as { before?: unknown }).before;
    expect(mapper.mapChange(truncate)!).toMatchObject({
      op: 'truncate',
      table: { namespace: 'x', name: 'y' },
      key: [],
    });
  });

  it('names the bad config field', () => {
    const input = { routes: [{ source: customers }, { source: customers, columns: { rename: 'x' } }] };
    expect(() => new Mapper(input as never)).toThrow(ConfigurationError);
    expect(() => new Mapper(input as never)).toThrow('routes[1].columns.rename: expected record, received string');
    expect(() => new Mapper({ routes: [{ source: customers }, { source: customers }] })).toThrow(
      'mapping: routes[1].source: public.customers already has a route',
    );
    const hashWithoutKey = {
      routes: [{ source: customers, columns: { transforms: { email: { kind: 'hash' as const } } } }],
    };
    expect(() => new Mapper(hashWithoutKey)).toThrow(
      'routes[0].columns.transforms.email: a hash transform needs hashKey',
    );
    const unknownCustom = {
      routes: [{ source: customers, columns: { transforms: { a: { kind: 'custom' as const, name: 'nope' } } } }],
    };
    expect(() => new Mapper(unknownCustom)).toThrow(
      'routes[0].columns.transforms.a.name: no transform registered as "nope"',
    );
    expect(
      () => new Mapper({ routes: [{ source: customers, columns: { transforms: { a: { kind: 'rot13' } } } }] } as never),
    ).toThrow('routes[0].columns.transforms.a.kind');
  });
});
