import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metadataDdl } from '../src/postgres-metadata.js';
import { selectVersionsForUpdate } from '../src/sink-statements.js';
import { serviceUrl, sql } from './pg-env.js';

const url = serviceUrl('PG_BACKUP_URL');
const tableName = `public.sink_plans_${Date.now().toString(36)}`;
let client: pg.Client;

/** Every plan node's `Actual Rows × Actual Loops` and `Rows Removed by Filter`, summed over the plan tree. */
function rowsTouched(plan: Record<string, unknown>): number {
  const own = Number(plan['Actual Rows'] ?? 0) * Number(plan['Actual Loops'] ?? 1);
  const removed = Number(plan['Rows Removed by Filter'] ?? 0) + Number(plan['Rows Removed by Join Filter'] ?? 0);
  const children = (plan.Plans as Record<string, unknown>[] | undefined) ?? [];
  return own + removed + children.reduce((sum, child) => sum + rowsTouched(child), 0);
}

beforeAll(async () => {
  await sql(url, metadataDdl());
  client = new pg.Client({ connectionString: url });
  await client.connect();
});

afterAll(async () => {
  await client.query('ROLLBACK').catch(() => undefined);
  await client.end();
});

describe('sink statement plans', () => {
  it('reads the shadow rows of a batch by key, not every shadow row of a table the statistics do not know', async () => {
    // Uncommitted and never analysed: exactly what a new table's first batches meet.
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO worker_sync.row_versions (table_name, row_key, vv, hlc, writer, deleted)
       SELECT $1, '["' || g || '"]', '{}', 1, 'plans', false FROM generate_series(1, 20000) g`,
      [tableName],
    );
    // Half of the batch's keys have shadow rows, half do not.
    const keys = Array.from({ length: 200 }, (_, i) => `["${19_901 + i}"]`);
    const statement = selectVersionsForUpdate(tableName, keys);
    const explained = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement.text}`, statement.values);
    const plan = explained.rows[0]['QUERY PLAN'][0].Plan as Record<string, unknown>;
    const found = await client.query(statement.text, statement.values);
    expect(found.rows).toHaveLength(100);
    // A handful of plan nodes each see at most the batch's 200 keys; a scan of the table's shadow rows sees 20,000.
    expect(rowsTouched(plan)).toBeLessThan(2000);
    await client.query('ROLLBACK');
  });
});
