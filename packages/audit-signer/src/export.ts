import type { AuditLog } from './audit-log.js';
import type { AuditStorage } from './audit-storage.js';
import { decodeLeaf, type LeafContent } from './leaf-encoding.js';

/** One exported leaf: the exact leaf bytes (what the verifier hashes) plus the decoded fields for reading. */
export interface ExportedLeaf {
  readonly index: number;
  /** base64 of the leaf bytes; the only field `verify replay` trusts. */
  readonly leaf: string;
  readonly content: LeafContent;
}

/** Exports every leaf as JSON Lines (one {@link ExportedLeaf} per line), in index order. */
export async function exportJsonLines(storage: AuditStorage): Promise<string> {
  const lines: string[] = [];
  await storage.scanLeaves((index, leaf) => {
    lines.push(JSON.stringify({ index, leaf: Buffer.from(leaf).toString('base64'), content: decodeLeaf(leaf) }));
  });
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

const CSV_COLUMNS = [
  'index',
  'type',
  'kind',
  'node',
  'origin',
  'source_id',
  'position',
  'tx_index',
  'table',
  'row',
  'op',
  'commit_time_micros',
  'hlc',
  'event_sha256',
  'details',
  'leaf_base64',
] as const;

/** Exports every leaf as CSV (RFC 4180 quoting) for spreadsheets and compliance tools; `leaf_base64` keeps the bytes. */
export async function exportCsv(storage: AuditStorage): Promise<string> {
  const rows: string[] = [CSV_COLUMNS.join(',')];
  await storage.scanLeaves((index, leaf) => {
    const c = decodeLeaf(leaf);
    const cells =
      c.type === 'change'
        ? [
            index,
            c.type,
            c.kind,
            c.node,
            c.origin,
            c.sourceId,
            c.position,
            c.txIndex,
            c.table,
            c.row,
            c.op,
            c.commitTimeMicros,
            c.hlc,
            c.eventSha256,
            '',
          ]
        : [index, c.type, '', '', '', '', '', '', '', '', '', c.atMicros, '', '', JSON.stringify(c.details)];
    rows.push([...cells, Buffer.from(leaf).toString('base64')].map(csvCell).join(','));
  });
  return `${rows.join('\r\n')}\r\n`;
}

/** One stored checkpoint with the consistency proof to the next one, as `verify chain` reads them. */
export interface ExportedCheckpoint {
  readonly note: string;
  /** base64 hashes proving this checkpoint's tree is a prefix of the next one's; absent on the last. */
  readonly consistencyToNext?: readonly string[];
}

/** Exports the stored checkpoints as JSON Lines, each with the proof linking it to its successor. */
export async function exportCheckpointChain(log: AuditLog): Promise<string> {
  const notes = await log.checkpoints();
  const lines = notes.map((note, i) => {
    const next = notes[i + 1];
    if (next === undefined) return JSON.stringify({ note });
    const proof = log.consistencyProof(noteSize(note), noteSize(next)).map((h) => Buffer.from(h).toString('base64'));
    return JSON.stringify({ note, consistencyToNext: proof });
  });
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** An offline inclusion bundle (the fields of C2SP tlog-proof): leaf bytes, index, audit path and a checkpoint. */
export interface InclusionBundle {
  readonly index: number;
  readonly leaf: string;
  readonly proof: readonly string[];
  readonly checkpoint: string;
}

/** Builds the inclusion bundle of leaf `index` against the newest stored checkpoint that covers it. */
export async function inclusionBundle(log: AuditLog, storage: AuditStorage, index: number): Promise<InclusionBundle> {
  const notes = await log.checkpoints();
  const newest = [...notes].reverse().find((n) => noteSize(n) > index);
  if (newest === undefined) throw new Error(`no stored checkpoint covers leaf ${index} yet`);
  let leaf: Uint8Array | undefined;
  await storage.scanLeaves((i, bytes) => {
    if (i === index) leaf = bytes;
  });
  if (leaf === undefined) throw new Error(`leaf ${index} is not stored`);
  return {
    index,
    leaf: Buffer.from(leaf).toString('base64'),
    proof: log.inclusionProof(index, noteSize(newest)).map((h) => Buffer.from(h).toString('base64')),
    checkpoint: newest,
  };
}

function noteSize(note: string): number {
  return Number(note.split('\n')[1]);
}

function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
