import type { CapturedBatch, CapturedChange, ChangeBatch, ChangeEvent, RowVersion } from '@worker-sync/core';
import mysql from 'mysql2/promise';

/** The MariaDB URL the services script wrote; fails (never skips) when the server is not running. */
export async function mysqlUrl(): Promise<string> {
  const url = process.env.MYSQL_URL;
  if (!url) throw new Error('MYSQL_URL is not set: run `pnpm services up mariadb` first');
  try {
    const connection = await mysql.createConnection(url);
    await connection.end();
  } catch (error) {
    throw new Error(
      `MariaDB at MYSQL_URL is unreachable (${(error as Error).message}): run \`pnpm services up mariadb\``,
    );
  }
  return url;
}

/** A plain mysql2 connection in UTC for test setup and local writes. */
export async function connect(url: string): Promise<mysql.Connection> {
  const connection = await mysql.createConnection({
    uri: url,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
  });
  await connection.query("SET time_zone = '+00:00'");
  return connection;
}

/** A table name unique to this run, so tests never see each other's rows. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Pulls batches from a source stream until `enough` holds for the changes gathered (bounded by `limit` batches). */
export async function collect(
  iterator: AsyncIterator<CapturedBatch>,
  enough: (changes: CapturedChange[]) => boolean,
  limit = 500,
): Promise<{ changes: CapturedChange[]; last: string | undefined }> {
  const changes: CapturedChange[] = [];
  let last: string | undefined;
  for (let i = 0; i < limit && !enough(changes); i++) {
    const next = await iterator.next();
    if (next.done) break;
    changes.push(...next.value.changes);
    last = next.value.resumeAfter;
  }
  return { changes, last };
}

/** A version with one writer. */
export function version(node: string, counter: number, deleted = false): RowVersion {
  return { vv: { [node]: counter }, hlc: BigInt(Date.now()) << 16n, writer: node, deleted };
}

/** A stamped batch from `origin` for tests of the sink. */
export function batchOf(
  origin: string,
  position: string,
  events: Omit<ChangeEvent, 'origin' | 'sourceId' | 'tx' | 'position'>[],
): ChangeBatch {
  return {
    id: `${origin}/src/${position}/0`,
    origin,
    sourceId: 'src',
    position,
    events: events.map((event, index) => ({
      ...event,
      origin,
      sourceId: 'src',
      position,
      tx: { id: position, commitTimeMicros: 0n, index, last: index === events.length - 1 },
    })),
  };
}

/** The decider the engine would use when every incoming version dominates: write it. */
export const writeAll = (incoming: ChangeEvent) =>
  ({
    kind: 'write',
    row: incoming.op === 'delete' ? null : (incoming.after ?? null),
    version: incoming.version,
  }) as const;
