import { IntegrityError, type SourcePosition } from '@worker-sync/core';

/**
 * A place in the binlog: the file and offset of a transaction's end, with the server's GTID state there (a MariaDB
 * `domain-server-seq` list or a MySQL GTID set) when it has one. During an initial snapshot, `snapshot` says how far
 * the copy got, so that a restart resumes the copy and then streams from `file:offset`.
 */
export interface BinlogPosition {
  readonly file: string;
  readonly offset: number;
  readonly gtid?: string;
  readonly snapshot?: SnapshotCursor;
}

/** How far a snapshot got: the table (by index in the snapshot's table list), chunk count and last key copied. */
export interface SnapshotCursor {
  readonly table: number;
  readonly chunk: number;
  /** Typed-JSON key of the last row copied; empty when the table is done or not started. */
  readonly lastKey: string;
}

/** The numeric extension of a binlog file name (`mysql-bin.000012` → 12). */
function fileIndex(file: string): number {
  const match = /\.(\d+)$/.exec(file);
  return match ? Number(match[1]) : 0;
}

/**
 * Encodes a position so that string order is log order: a zero-padded file index and offset come first, then the
 * file name and GTID state needed to resume, then the snapshot cursor (which sorts after its start position and
 * before anything streamed later).
 *
 * @example `0000000012:00000000000000001234:mysql-bin.000012:0-1-57`
 */
export function encodePosition(position: BinlogPosition): SourcePosition {
  const base = `${String(fileIndex(position.file)).padStart(10, '0')}:${String(position.offset).padStart(20, '0')}:${position.file}:${position.gtid ?? ''}`;
  if (position.snapshot === undefined) return base;
  const { table, chunk, lastKey } = position.snapshot;
  return `${base}#s:${String(table).padStart(6, '0')}:${String(chunk).padStart(10, '0')}:${lastKey}`;
}

/** Decodes {@link encodePosition}; an IntegrityError names the text that is not a MySQL position. */
export function decodePosition(text: SourcePosition): BinlogPosition {
  const hash = text.indexOf('#s:');
  const main = hash === -1 ? text : text.slice(0, hash);
  const match = /^(\d{10}):(\d{20}):([^:]+):(.*)$/s.exec(main);
  if (!match) throw new IntegrityError(`not a MySQL binlog position: ${text.slice(0, 120)}`, 'POSITION');
  const gtid = match[4] === '' ? undefined : match[4];
  const base = { file: match[3]!, offset: Number(match[2]), ...(gtid === undefined ? {} : { gtid }) };
  if (hash === -1) return base;
  const snap = /^(\d{6}):(\d{10}):(.*)$/s.exec(text.slice(hash + 3));
  if (!snap) throw new IntegrityError(`bad snapshot cursor in position ${text.slice(0, 120)}`, 'POSITION');
  return { ...base, snapshot: { table: Number(snap[1]), chunk: Number(snap[2]), lastKey: snap[3]! } };
}
