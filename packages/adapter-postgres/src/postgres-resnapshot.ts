import { randomUUID } from 'node:crypto';
import type { CapturedChange, TableRef } from '@worker-sync/core';
import type pg from 'pg';
import type { PgoutputMessage } from 'pgwire';
import { formatLsn } from './postgres-slot.js';
import { readSnapshot } from './postgres-snapshot.js';

/** Prefix of the non-transactional watermark message that places a re-snapshot in the stream. */
export const RESNAPSHOT_MESSAGE_PREFIX = 'worker_sync.resnapshot';

/**
 * Re-snapshots of single tables while the stream runs. Each writes a watermark message to the log *before* opening
 * its snapshot, then reads the table; the stream inserts the rows where it meets the watermark. Changes committed
 * before the watermark are in the snapshot and streamed before the rows; changes committed after it are streamed
 * after the rows, so the table ends in its latest state and nothing is missed.
 */
export class Resnapshots {
  private readonly reads = new Map<string, Promise<(position: string) => CapturedChange[]>>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly chunkSize: number,
  ) {}

  /** Writes the watermark and reads the table; resolves once the rows are ready for the stream. */
  async start(table: TableRef): Promise<void> {
    const token = randomUUID();
    const read = (async () => {
      await this.pool.query('SELECT pg_logical_emit_message(false, $1, $2)', [RESNAPSHOT_MESSAGE_PREFIX, token]);
      const client = await this.pool.connect();
      const chunks: CapturedChange[][] = [];
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        for await (const changes of readSnapshot(client, [table], this.chunkSize, () => '')) chunks.push(changes);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      return (position: string) => chunks.flat().map((change) => ({ ...change, position }));
    })();
    this.reads.set(token, read);
    read.catch(() => this.reads.delete(token));
    await read;
  }

  /** The rows of the re-snapshot a watermark message belongs to (none if it is not this instance's). */
  async take(message: PgoutputMessage): Promise<CapturedChange[]> {
    const token = new TextDecoder().decode(message.content);
    const read = this.reads.get(token);
    if (read === undefined) return [];
    this.reads.delete(token);
    const rows = await read;
    return rows(formatLsn(message.messageLsn ?? message.lsn ?? '0/0'));
  }
}
