import { hash } from 'node:crypto';
import { type AuditRecord, canonicalEncodeEvent, rowIdentity } from '@worker-sync/core';

/** Prefix of every leaf: names the layout, so a future layout can never hash like this one. */
export const LEAF_FORMAT = 'worker-sync-audit/v1';

/** A change leaf: the metadata an auditor queries plus the hash of the change's canonical bytes. */
export interface ChangeLeaf {
  readonly type: 'change';
  readonly kind: 'captured' | 'applied';
  /** The node that recorded the change. */
  readonly node: string;
  readonly origin: string;
  readonly sourceId: string;
  readonly position: string;
  readonly txIndex: number;
  /** `namespace.name`, escaped as core's rowIdentity does. */
  readonly table: string;
  /** core's rowIdentity of (table, key). */
  readonly row: string;
  readonly op: 'insert' | 'update' | 'delete' | 'truncate';
  /** Commit time, microseconds since the epoch, as a decimal string. */
  readonly commitTimeMicros: string;
  /** HLC of the row version, as a decimal string. */
  readonly hlc: string;
  /** SHA-256 (hex) of core's canonical event bytes; sensitive columns are already ciphertext there. */
  readonly eventSha256: string;
}

/** A control leaf: a key transition, a redaction (crypto-shredding) or a resync. */
export interface ControlLeaf {
  readonly type: 'key-transition' | 'redaction' | 'resync';
  /** Wall time the control record was written, microseconds since the epoch, decimal string. */
  readonly atMicros: string;
  /** Control details; only non-personal data (key names, pseudonymous subject ids, reasons). */
  readonly details: Readonly<Record<string, string>>;
}

/** What one leaf records. */
export type LeafContent = ChangeLeaf | ControlLeaf;

/**
 * The single leaf encoding of the log: `worker-sync-audit/v1\n` followed by canonical JSON (keys sorted, no spaces,
 * numbers only small integers, everything else strings). Swapping the layout means changing this one function.
 */
export function encodeLeaf(content: LeafContent): Uint8Array {
  const json = content.type === 'change' ? changeLeafJson(content) : canonicalStringify(content);
  return Buffer.from(`${LEAF_FORMAT}\n${json}`, 'utf8');
}

/**
 * Canonical JSON of a change leaf with its keys written in sorted order directly: the same bytes as the generic
 * canonical form (a unit test holds them equal), without sorting keys on the append path.
 */
function changeLeafJson(c: ChangeLeaf): string {
  const s = JSON.stringify;
  return (
    `{"commitTimeMicros":${s(c.commitTimeMicros)},"eventSha256":${s(c.eventSha256)},"hlc":${s(c.hlc)},"kind":${s(c.kind)},` +
    `"node":${s(c.node)},"op":${s(c.op)},"origin":${s(c.origin)},"position":${s(c.position)},"row":${s(c.row)},` +
    `"sourceId":${s(c.sourceId)},"table":${s(c.table)},"txIndex":${s(c.txIndex)},"type":"change"}`
  );
}

/** The generic canonical JSON (sorted keys, no spaces) every leaf layout is defined by. */
export function canonicalLeafJson(content: LeafContent): string {
  return canonicalStringify(content);
}

/** Decodes leaf bytes written by {@link encodeLeaf}; throws a TypeError on any other layout. */
export function decodeLeaf(bytes: Uint8Array): LeafContent {
  const text = Buffer.from(bytes).toString('utf8');
  const newline = text.indexOf('\n');
  if (newline < 0 || text.slice(0, newline) !== LEAF_FORMAT)
    throw new TypeError('leaf is not in the worker-sync-audit/v1 layout');
  return JSON.parse(text.slice(newline + 1)) as LeafContent;
}

/** Builds the change leaf of one core audit record. */
export function changeLeafOf(record: AuditRecord): ChangeLeaf {
  const e = record.event;
  const row = rowIdentity(e.table, e.key);
  return {
    type: 'change',
    kind: record.kind,
    node: record.node,
    origin: e.origin,
    sourceId: e.sourceId,
    position: e.position,
    txIndex: e.tx.index,
    // The escaped table part of a row identity never holds '/', so it ends at the first one.
    table: row.slice(0, row.indexOf('/')),
    row,
    op: e.op,
    commitTimeMicros: e.tx.commitTimeMicros.toString(),
    hlc: e.version.hlc.toString(),
    eventSha256: hash('sha256', canonicalEncodeEvent(e), 'hex'),
  };
}

/**
 * The exactly-once key of a leaf: a change is identified by (kind, recording node, origin, source, position, index
 * in its transaction), so a redelivered record maps to the leaf already written. Control leaves have none.
 */
export function dedupKeyOf(content: LeafContent): string | undefined {
  if (content.type !== 'change') return undefined;
  // Length-prefixed fields: injective like a JSON array, at a fraction of the cost. The key only lives in memory.
  const { kind, node, origin, sourceId, position, txIndex } = content;
  return `${kind}:${node.length}:${node}${origin.length}:${origin}${sourceId.length}:${sourceId}${position.length}:${position}${txIndex}`;
}

function canonicalStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalStringify(v)}`).join(',')}}`;
}
