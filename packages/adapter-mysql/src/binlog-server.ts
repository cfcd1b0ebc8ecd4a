import { createHash } from 'node:crypto';
import { IntegrityError } from '@worker-sync/core';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { BinlogPosition } from './mysql-position.js';

/** The end of the binlog now, with the GTID state there (MySQL's executed set, or MariaDB's for that offset). */
export async function currentBinlogEnd(pool: Pool): Promise<BinlogPosition> {
  const [rows] = await pool.query<RowDataPacket[]>('SHOW MASTER STATUS');
  const row = rows[0];
  if (!row) throw new IntegrityError('the binary log is off on this server (log_bin=OFF)', 'BINLOG_OFF');
  const file = String(row.File);
  const offset = Number(row.Position);
  let gtid = row.Executed_Gtid_Set ? String(row.Executed_Gtid_Set).replace(/\s/g, '') : '';
  if (!gtid) {
    // MariaDB: the GTID state at exactly this offset. MySQL without GTIDs has no such function; file/offset then.
    const [pos] = await pool
      .query<RowDataPacket[]>('SELECT BINLOG_GTID_POS(?, ?) AS gtid', [file, offset])
      .catch(() => [[]] as never);
    gtid = pos[0]?.gtid ? String(pos[0].gtid) : '';
  }
  return { file, offset, ...(gtid ? { gtid } : {}) };
}

/** The binlog files the server still has, oldest first. */
export async function binlogFiles(pool: Pool): Promise<string[]> {
  const [rows] = await pool.query<RowDataPacket[]>('SHOW BINARY LOGS');
  return rows.map((row) => String(row.Log_name));
}

/** The error for a checkpoint whose binlog the server no longer has, with the ways to resync. */
export function purgedError(position: string, oldest: string | undefined): IntegrityError {
  return new IntegrityError(
    `binlog position ${position} has been purged from the server (oldest binlog: ${oldest ?? 'none'}); changes after ` +
      'the checkpoint are lost to this source. Resync: set onPurgedBinlog: "resnapshot", or restart the source with no ' +
      'checkpoint and { snapshot: true } ' +
      '(the version vectors make re-sent rows harmless), and raise binlog_expire_logs_seconds.',
    'BINLOG_PURGED',
  );
}

/** A server id derived from the source id, so two sources never share one by accident. */
export function defaultServerId(id: string): number {
  return 1_000_000 + (createHash('sha256').update(id).digest().readUInt32BE(0) % 1_000_000_000);
}
