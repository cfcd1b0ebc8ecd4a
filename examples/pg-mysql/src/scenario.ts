import { MySqlSink, MySqlSource } from '@worker-sync/adapter-mysql';
import { PostgresSink, PostgresSource } from '@worker-sync/adapter-postgres';
import { InProcessTransport, MemoryCheckpointStore, MemoryDeadLetterStore, SyncEngine } from '@worker-sync/core';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { type AuditVerdict, type NodeAudit, openAudit, sealAndVerify } from './audit-trail.js';
import { tableDigest } from './digest.js';

/** Where the two databases are. */
export interface ScenarioOptions {
  readonly pgUrl: string;
  readonly mysqlUrl: string;
  /** Rows seeded on each side before the concurrent writes. */
  readonly rows?: number;
  /** Each node keeps a signed audit log of every change under `<auditDirectory>/<node>`, verified at the end. */
  readonly auditDirectory: string;
  readonly log?: (line: string) => void;
}

/** Per-table digests on both sides. */
export interface TableResult {
  readonly table: string;
  readonly postgres: string;
  readonly mariadb: string;
  readonly rows: number;
}

/** What the scenario ends with: the digests, and each node's audit log as the offline verifier judged it. */
export interface ScenarioResult {
  readonly tables: readonly TableResult[];
  readonly audits: readonly AuditVerdict[];
}

const PG_DDL = `(id BIGINT PRIMARY KEY, owner TEXT NOT NULL, balance NUMERIC(12,2) NOT NULL, active BOOLEAN NOT NULL,
  tags JSONB NULL, updated_at TIMESTAMP(6) NOT NULL)`;
const MARIA_DDL = `(id BIGINT PRIMARY KEY, owner VARCHAR(200) NOT NULL, balance DECIMAL(12,2) NOT NULL, active BOOLEAN NOT NULL,
  tags JSON NULL, updated_at DATETIME(6) NOT NULL) DEFAULT CHARSET=utf8mb4`;

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/**
 * Runs PostgreSQL ↔ MariaDB both ways: a table on each side, an engine per node over a shared in-process transport
 * with last-writer-wins, seed rows on both sides, then concurrent conflicting updates and deletes of the same keys on
 * both sides; waits until both sides hold the same rows and returns the per-table digests.
 */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const log = options.log ?? (() => undefined);
  const rows = options.rows ?? 200;
  const table = `accounts_${Date.now().toString(36)}`;
  const pgClient = new pg.Client({ connectionString: options.pgUrl });
  await pgClient.connect();
  const maria = await mysql.createConnection(options.mysqlUrl);
  await maria.query("SET time_zone = '+00:00'");
  await pgClient.query(`CREATE TABLE ${pgName(table)} ${PG_DDL}`);
  await maria.query(`CREATE TABLE ${mariaName(table)} ${MARIA_DDL}`);

  const transport = new InProcessTransport();
  const pgSource = new PostgresSource({
    id: `pg_${table}`,
    url: options.pgUrl,
    tables: [`public.${table}`],
    lease: false,
  });
  const pgSink = new PostgresSink({ id: `pg_${table}`, url: options.pgUrl, schema: 'public' });
  const mariaSource = new MySqlSource({
    id: `maria_${table}`,
    url: options.mysqlUrl,
    tables: [table],
    heartbeatSeconds: 1,
  });
  const mariaSink = new MySqlSink({ id: `maria_${table}`, url: options.mysqlUrl });
  const audits: NodeAudit[] = [
    await openAudit(options.auditDirectory, 'postgres'),
    await openAudit(options.auditDirectory, 'mariadb'),
  ];
  const engines = [
    new SyncEngine({
      node: 'postgres',
      sources: [pgSource],
      sinks: [pgSink],
      transport,
      resolver: 'last-writer-wins',
      // Sources start with a consistent snapshot, so rows written while an engine is still starting are not missed.
      snapshot: true,
      checkpoints: new MemoryCheckpointStore(),
      deadLetters: new MemoryDeadLetterStore(),
      audit: audits[0]!.log,
    }),
    new SyncEngine({
      node: 'mariadb',
      sources: [mariaSource],
      sinks: [mariaSink],
      transport,
      resolver: 'last-writer-wins',
      // Sources start with a consistent snapshot, so rows written while an engine is still starting are not missed.
      snapshot: true,
      checkpoints: new MemoryCheckpointStore(),
      deadLetters: new MemoryDeadLetterStore(),
      audit: audits[1]!.log,
    }),
  ];
  try {
    for (const engine of engines) await engine.start();
    log(`engines started; table ${table}`);
    const stamp = (i: number) => `2024-01-01 00:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(6, '0')}`;
    for (let i = 1; i <= rows; i++) {
      const side = i % 2 === 0;
      const values = [
        i,
        `owner-${i}`,
        `${i}.50`,
        side,
        JSON.stringify({ n: i, side: side ? 'pg' : 'maria' }),
        stamp(i),
      ];
      if (side) await pgClient.query(`INSERT INTO ${pgName(table)} VALUES ($1, $2, $3, $4, $5, $6)`, values);
      else await maria.query(`INSERT INTO ${mariaName(table)} VALUES (?, ?, ?, ?, ?, ?)`, values);
    }
    log(`seeded ${rows} rows, half on each side`);
    await until(async () => {
      const counts = await count(pgClient, maria, table);
      log(`seed rows: postgres ${counts[0]}, mariadb ${counts[1]}`);
      return counts.every((n) => n === rows);
    }, 'the seed rows on both sides');
    // Concurrent conflicting writes: both sides update the same keys at once, and each deletes a few the other updates.
    await Promise.all([
      (async () => {
        for (let i = 1; i <= rows; i += 3) {
          await pgClient.query(`UPDATE ${pgName(table)} SET balance = balance + 1, owner = $2 WHERE id = $1`, [
            i,
            `pg-${i}`,
          ]);
        }
        for (let i = 5; i <= rows; i += 50) await pgClient.query(`DELETE FROM ${pgName(table)} WHERE id = $1`, [i]);
      })(),
      (async () => {
        for (let i = 1; i <= rows; i += 3) {
          await maria.query(`UPDATE ${mariaName(table)} SET balance = balance + 2, owner = ? WHERE id = ?`, [
            `maria-${i}`,
            i,
          ]);
        }
        for (let i = 4; i <= rows; i += 50)
          await maria.query(`UPDATE ${mariaName(table)} SET active = NOT active WHERE id = ?`, [i]);
      })(),
    ]);
    log('concurrent conflicting writes done on both sides');
    let result: TableResult[] = [];
    await until(async () => {
      const ids = await idsOf(pgClient, maria, table);
      const [pgDigest, mariaDigest] = await Promise.all([
        tableDigest(pgSink, { namespace: 'public', name: table }, ids.postgres),
        tableDigest(mariaSink, { namespace: 'maria', name: table }, ids.mariadb),
      ]);
      result = [{ table, postgres: pgDigest, mariadb: mariaDigest, rows: ids.postgres.length }];
      return pgDigest === mariaDigest && ids.postgres.length === ids.mariadb.length;
    }, 'both sides to converge');
    for (const engine of engines) await engine.stop();
    const verdicts: AuditVerdict[] = [];
    for (const audit of audits) verdicts.push(await sealAndVerify(audit));
    return { tables: result, audits: verdicts };
  } finally {
    for (const engine of engines) await engine.stop().catch(() => undefined);
    await transport.close();
    for (const closable of [pgSource, pgSink, mariaSource, mariaSink]) await closable.close().catch(() => undefined);
    for (const audit of audits) await audit.log.close().catch(() => undefined);
    await pgClient.query(`DROP TABLE IF EXISTS ${pgName(table)}`);
    await pgClient.query(
      'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active',
      [`worker_sync_pg_${table}`],
    );
    await pgClient.query(`DROP PUBLICATION IF EXISTS ${pg.escapeIdentifier(`worker_sync_pg_${table}`)}`);
    await pgClient.end();
    await maria.query(`DROP TABLE IF EXISTS ${mariaName(table)}`);
    await maria.end();
  }
}

/** Identifiers always go through the drivers' quoting. */
function pgName(table: string): string {
  return `public.${pg.escapeIdentifier(table)}`;
}

function mariaName(table: string): string {
  return mysql.escapeId(table);
}

async function idsOf(client: pg.Client, maria: mysql.Connection, table: string) {
  const pgRows = await client.query<{ id: string }>(`SELECT id::text AS id FROM ${pgName(table)}`);
  const [mariaRows] = await maria.query<mysql.RowDataPacket[]>(
    `SELECT CAST(id AS CHAR) AS id FROM ${mariaName(table)}`,
  );
  return { postgres: pgRows.rows.map((r) => BigInt(r.id)), mariadb: mariaRows.map((r) => BigInt(String(r.id))) };
}

async function count(client: pg.Client, maria: mysql.Connection, table: string): Promise<number[]> {
  const ids = await idsOf(client, maria, table);
  return [ids.postgres.length, ids.mariadb.length];
}
