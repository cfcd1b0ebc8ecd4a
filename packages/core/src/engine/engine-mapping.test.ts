import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors.js';
import { Mapper } from '../mapping/mapper.js';
import { MemoryDatabase } from '../memory/memory-database.js';
import { MemorySink } from '../memory/memory-sink.js';
import { MemorySource } from '../memory/memory-source.js';
import type { TableRef } from '../model/change-event.js';
import { lastWriterWins } from '../resolve/last-writer-wins.js';
import { MemoryCheckpointStore } from '../store/memory-checkpoint-store.js';
import { MemoryDeadLetterStore } from '../store/memory-dead-letter-store.js';
import { InProcessTransport } from '../transport/in-process-transport.js';
import { SyncEngine } from './sync-engine.js';
import type { SyncEngineConfigInput } from './sync-engine-config.js';

const customers: TableRef = { namespace: 'app', name: 'customers' };
const clients: TableRef = { namespace: 'crm', name: 'clients' };

/** An engine over one in-memory database, with the given mappings. */
function engine(
  node: string,
  db: MemoryDatabase,
  transport: InProcessTransport,
  mapping: SyncEngineConfigInput['mapping'],
) {
  return new SyncEngine({
    node,
    sources: [new MemorySource({ id: 'db', database: db })],
    sinks: [new MemorySink({ id: 'db', database: db })],
    transport,
    resolver: lastWriterWins,
    checkpoints: new MemoryCheckpointStore(),
    deadLetters: new MemoryDeadLetterStore(),
    mapping,
  });
}

/** Node "shop" keeps app.customers; node "crm" keeps crm.clients with other column names and no ssn. */
function nodes(transport: InProcessTransport) {
  const shop = new MemoryDatabase('shop');
  shop.createTable(customers, {
    key: ['id'],
    columns: { id: 'int64', full_name: 'text', email: 'text', ssn: 'text' },
  });
  const crm = new MemoryDatabase('crm');
  crm.createTable(clients, { key: ['client_id'], columns: { client_id: 'int64', name: 'text', email: 'text' } });
  const shopEngine = engine('shop', shop, transport, {
    // The ssn never leaves the shop; the email travels masked.
    outbound: {
      db: new Mapper({
        routes: [{ source: customers, columns: { exclude: ['ssn'], transforms: { email: { kind: 'mask' } } } }],
      }),
    },
    inbound: {
      db: new Mapper({
        routes: [{ source: clients, target: customers, columns: { rename: { client_id: 'id', name: 'full_name' } } }],
      }),
    },
  });
  const crmEngine = engine('crm', crm, transport, {
    inbound: {
      db: new Mapper({
        routes: [{ source: customers, target: clients, columns: { rename: { id: 'client_id', full_name: 'name' } } }],
      }),
    },
  });
  return { shop, crm, shopEngine, crmEngine };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
}

describe('SyncEngine mapping', () => {
  it('maps outbound before the wire and inbound into each sink schema, both ways, without echoes', async () => {
    const transport = new InProcessTransport();
    const { shop, crm, shopEngine, crmEngine } = nodes(transport);
    await shopEngine.start();
    await crmEngine.start();

    shop.write(customers, { id: 1n, full_name: 'Ann Lee', email: 'ann@example.com', ssn: '078-05-1120' });
    await until(() => crm.read(clients, [['client_id', 1n]]) !== undefined);
    expect(crm.read(clients, [['client_id', 1n]])).toEqual({ client_id: 1n, name: 'Ann Lee', email: '***' });

    crm.write(clients, { client_id: 2n, name: 'Bo Chen', email: 'bo@example.com' });
    await until(() => shop.read(customers, [['id', 2n]]) !== undefined);
    expect(shop.read(customers, [['id', 2n]])).toEqual({ id: 2n, full_name: 'Bo Chen', email: 'bo@example.com' });

    await until(() => transport.backlog() === 0);
    const [shopStatus, crmStatus] = [await shopEngine.status(), await crmEngine.status()];
    expect(shopStatus.sources[0]).toMatchObject({ published: 1, echoes: 1 });
    expect(crmStatus.sources[0]).toMatchObject({ published: 1, echoes: 1 });
    expect(shopStatus.deadLetters.count + crmStatus.deadLetters.count).toBe(0);
    await shopEngine.stop();
    await crmEngine.stop();
  });

  it('refuses a mapping under an id no source or sink has, naming the field', () => {
    expect(() =>
      engine('x', new MemoryDatabase('x'), new InProcessTransport(), { inbound: { dbb: new Mapper({}) } }),
    ).toThrow(
      new ConfigurationError('SyncEngine configuration: mapping.inbound.dbb: no sink has id "dbb" (sinks: db)'),
    );
  });
});
