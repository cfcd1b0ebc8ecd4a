import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { requireService, unreachable } from './require-service.js';

async function connect(variable: string, service: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: requireService(variable, service) });
  await client.connect().catch((error: unknown) => {
    throw unreachable(service, error);
  });
  return client;
}

describe.each([
  ['PG_LOCAL_URL', 'pg-local'],
  ['PG_BACKUP_URL', 'pg-backup'],
])('PostgreSQL %s', (variable, service) => {
  it('decodes an insert through a logical replication slot', async () => {
    const client = await connect(variable, service);
    const slot = `smoke_${process.pid}`;
    try {
      expect((await client.query('SHOW wal_level')).rows[0].wal_level).toBe('logical');
      await client.query('CREATE TABLE IF NOT EXISTS public.smoke_items (id int PRIMARY KEY, note text)');
      await client.query("SELECT pg_create_logical_replication_slot($1, 'test_decoding')", [slot]);
      await client.query(
        "INSERT INTO public.smoke_items VALUES (1, 'hello') ON CONFLICT (id) DO UPDATE SET note = 'hello'",
      );
      const changes = await client.query('SELECT data FROM pg_logical_slot_get_changes($1, NULL, NULL)', [slot]);
      const text = changes.rows.map((r: { data: string }) => r.data).join('\n');
      expect(text).toContain('table public.smoke_items');
      expect(text).toMatch(/INSERT|UPDATE/);
    } finally {
      await client.query('SELECT pg_drop_replication_slot($1)', [slot]).catch(() => undefined);
      await client.end();
    }
  });
});
