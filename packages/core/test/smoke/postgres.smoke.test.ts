import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { connectOrExplain, requireServiceUrl } from './require-service.js';

/** Proves both PostgreSQL clusters run with wal_level=logical and decode a committed insert from a slot. */
for (const name of ['pg-local', 'pg-backup'] as const) {
  describe(`${name} logical decoding`, () => {
    const client = new pg.Client({ connectionString: requireServiceUrl(name) });
    const slot = `smoke_${process.pid}`;
    // Qualified and per process, so neither search_path nor a concurrent run changes what is decoded.
    const table = `public.smoke_decoding_${process.pid}`;
    let connected = false;

    afterAll(async () => {
      if (!connected) return;
      await client.query('SELECT pg_drop_replication_slot($1) FROM pg_replication_slots WHERE slot_name = $1', [slot]);
      await client.query(`DROP TABLE IF EXISTS ${table}`);
      await client.end();
    });

    it('decodes an insert through test_decoding', async () => {
      await connectOrExplain(name, () => client.connect());
      connected = true;
      const { rows: level } = await client.query<{ wal_level: string }>('SHOW wal_level');
      expect(level[0]?.wal_level).toBe('logical');

      await client.query(`CREATE TABLE IF NOT EXISTS ${table} (id int PRIMARY KEY, note text)`);
      await client.query("SELECT pg_create_logical_replication_slot($1, 'test_decoding')", [slot]);
      await client.query(`INSERT INTO ${table} VALUES (1, 'hello')`);

      const { rows } = await client.query<{ data: string }>(
        'SELECT data FROM pg_logical_slot_get_changes($1, NULL, NULL)',
        [slot],
      );
      const changes = rows.map((row) => row.data);
      expect(changes).toContain(`table ${table}: INSERT: id[integer]:1 note[text]:'hello'`);
    });
  });
}
