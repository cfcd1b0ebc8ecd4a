import { canonicalVersionVector, compareNodeIds } from '../clock/version-vector.js';
import { MappingError } from '../errors.js';
import type { ChangeEvent, Operation, RowVersion } from '../model/change-event.js';
import type { Row, Value } from '../model/value.js';
import type { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import type { SymbolReader, SymbolWriter } from './symbol-table.js';
import { compareCodeUnits, readValue, writeValue } from './value-codec.js';

const OPERATIONS: readonly Operation[] = ['insert', 'update', 'delete', 'truncate'];

// First flag byte: bits 0–1 the operation, then which optional parts follow.
const HAS_AFTER = 1 << 2;
const HAS_BEFORE = 1 << 3;
const HAS_UNCHANGED = 1 << 4;
const HAS_SNAPSHOT = 1 << 5;
const SNAPSHOT = 1 << 6;
const TX_LAST = 1 << 7;
// Second flag byte.
const OWN_ORIGIN = 1 << 0;
const OWN_SOURCE = 1 << 1;
const DELETED = 1 << 2;
const HAS_COLUMNS = 1 << 3;
const SECOND_FLAGS_MASK = OWN_ORIGIN | OWN_SOURCE | DELETED | HAS_COLUMNS;

/** What an event shares with its batch; fields equal to these are not repeated per event. */
export interface EventDefaults {
  readonly origin?: string;
  readonly sourceId?: string;
}

/**
 * Writes one event. `canonical` sorts row columns, vector entries, column stamps and unchanged-column names and
 * drops zero vector entries, so equal events give equal bytes; otherwise everything keeps its order.
 */
export function writeEvent(
  w: ByteWriter,
  s: SymbolWriter,
  event: ChangeEvent,
  canonical: boolean,
  defaults: EventDefaults = {},
): void {
  const op = OPERATIONS.indexOf(event.op);
  if (op < 0) throw new MappingError(`unknown operation ${JSON.stringify(event.op)}`, where(event));
  let flags = op;
  if (event.after !== undefined) flags |= HAS_AFTER;
  if (event.before !== undefined) flags |= HAS_BEFORE;
  if (event.unchanged !== undefined) flags |= HAS_UNCHANGED;
  if (event.snapshot !== undefined) flags |= HAS_SNAPSHOT | (event.snapshot ? SNAPSHOT : 0);
  if (event.tx.last) flags |= TX_LAST;
  const version = event.version;
  let flags2 = 0;
  if (event.origin !== defaults.origin) flags2 |= OWN_ORIGIN;
  if (event.sourceId !== defaults.sourceId) flags2 |= OWN_SOURCE;
  if (version.deleted) flags2 |= DELETED;
  if (version.columns !== undefined) flags2 |= HAS_COLUMNS;
  w.byte(flags);
  w.byte(flags2);
  if (flags2 & OWN_ORIGIN) s.write(event.origin, 'origin');
  if (flags2 & OWN_SOURCE) s.write(event.sourceId, 'source id');
  s.write(event.table.namespace, 'namespace');
  s.write(event.table.name, 'table name');
  w.varuint(event.key.length);
  for (const [column, value] of event.key) {
    s.write(column, 'key column');
    writeColumnValue(w, value, canonical, event, column);
  }
  if (event.after !== undefined) writeRow(w, s, event.after, canonical, event);
  if (event.before !== undefined) writeRow(w, s, event.before, canonical, event);
  if (event.unchanged !== undefined) {
    const names = canonical ? [...event.unchanged].sort(compareCodeUnits) : event.unchanged;
    w.varuint(names.length);
    for (const name of names) s.write(name, 'unchanged column');
  }
  s.write(event.position, 'position');
  s.write(event.tx.id, 'transaction id');
  w.zigzag64(event.tx.commitTimeMicros, 'commit time');
  w.varuint(checkIndex(event));
  writeVersion(w, s, version, canonical);
}

/** Reads what {@link writeEvent} wrote. */
export function readEvent(r: ByteReader, s: SymbolReader, defaults: EventDefaults = {}): ChangeEvent {
  const flagsAt = r.offset;
  const flags = r.byte('event flags');
  const flags2 = r.byte('event flags');
  if ((flags & SNAPSHOT && !(flags & HAS_SNAPSHOT)) || flags2 & ~SECOND_FLAGS_MASK) {
    r.fail(`valid event flags, got 0x${flags.toString(16)} 0x${flags2.toString(16)}`, flagsAt);
  }
  const origin = flags2 & OWN_ORIGIN ? s.read('origin') : defaults.origin;
  const sourceId = flags2 & OWN_SOURCE ? s.read('source id') : defaults.sourceId;
  if (origin === undefined || sourceId === undefined) r.fail('an origin and source id on the event', flagsAt);
  const table = { namespace: s.read('namespace'), name: s.read('table name') };
  const keyLength = r.count('key length', 2);
  const key: [string, Value][] = [];
  for (let i = 0; i < keyLength; i++) key.push([s.read('key column'), readValue(r)]);
  const after = flags & HAS_AFTER ? readRow(r, s) : undefined;
  const before = flags & HAS_BEFORE ? readRow(r, s) : undefined;
  let unchanged: string[] | undefined;
  if (flags & HAS_UNCHANGED) {
    const n = r.count('unchanged column count');
    unchanged = [];
    for (let i = 0; i < n; i++) unchanged.push(s.read('unchanged column'));
  }
  const position = s.read('position');
  const tx = {
    id: s.read('transaction id'),
    commitTimeMicros: r.zigzag64('commit time'),
    index: r.varuint('index in transaction'),
    last: (flags & TX_LAST) !== 0,
  };
  const version = readVersion(r, s, (flags2 & DELETED) !== 0, (flags2 & HAS_COLUMNS) !== 0);
  // Field by field in one order, not with conditional spreads: a fraction of the cost, and the events of a batch
  // share few shapes, which keeps the sinks' reads of them fast. Absent optional fields stay absent.
  const event: { -readonly [K in keyof ChangeEvent]?: ChangeEvent[K] } = { op: OPERATIONS[flags & 3]!, table, key };
  if (after !== undefined) event.after = after;
  if (before !== undefined) event.before = before;
  if (unchanged !== undefined) event.unchanged = unchanged;
  event.position = position;
  event.tx = tx;
  if (flags & HAS_SNAPSHOT) event.snapshot = (flags & SNAPSHOT) !== 0;
  event.origin = origin;
  event.sourceId = sourceId;
  event.version = version;
  return event as ChangeEvent;
}

function writeRow(w: ByteWriter, s: SymbolWriter, row: Row, canonical: boolean, event: ChangeEvent): void {
  const names = Object.keys(row);
  if (canonical) names.sort(compareCodeUnits);
  w.varuint(names.length);
  for (const name of names) {
    s.write(name, 'column name');
    writeColumnValue(w, row[name]!, canonical, event, name);
  }
}

function readRow(r: ByteReader, s: SymbolReader): Row {
  const n = r.count('column count', 2);
  const row: Record<string, Value> = {};
  for (let i = 0; i < n; i++) {
    const at = r.offset;
    const name = s.read('column name');
    if (Object.hasOwn(row, name)) r.fail(`distinct column names, got "${name}" twice`, at);
    setOwn(row, name, readValue(r));
  }
  return row;
}

/**
 * Sets an own enumerable property. Plain assignment does that for every name except `__proto__`, which would set
 * the prototype instead; only that name goes through defineProperty, which turns the object into a slow dictionary
 * for every later access (the decoded rows are read by the sinks, row by row).
 */
function setOwn<T>(target: Record<string, T>, name: string, value: T): void {
  if (name === '__proto__') {
    Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[name] = value;
  }
}

function writeVersion(w: ByteWriter, s: SymbolWriter, version: RowVersion, canonical: boolean): void {
  const vv = canonical ? canonicalVersionVector(version.vv) : version.vv;
  const nodes = Object.keys(vv);
  w.varuint(nodes.length);
  for (const node of nodes) {
    s.write(node, 'version vector node');
    const count = vv[node]!;
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new MappingError(`version vector entry for node "${node}" is ${count}; expected a non-negative integer`);
    }
    w.varuint(count);
  }
  const hlcStart = w.length;
  w.varuint64(version.hlc, 'HLC');
  const hlcEnd = w.length;
  s.write(version.writer, 'writer');
  if (version.columns !== undefined) {
    const columns = Object.keys(version.columns);
    if (canonical) columns.sort(compareNodeIds);
    w.varuint(columns.length);
    for (const column of columns) {
      s.write(column, 'stamped column');
      const stamp = version.columns[column]!;
      // Most columns carry the version's own HLC: its bytes are copied rather than encoded again.
      if (stamp === version.hlc) w.repeat(hlcStart, hlcEnd);
      else w.varuint64(stamp, `HLC of column "${column}"`);
    }
  }
}

function readVersion(r: ByteReader, s: SymbolReader, deleted: boolean, hasColumns: boolean): RowVersion {
  const n = r.count('version vector size', 2);
  const vv: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const at = r.offset;
    const node = s.read('version vector node');
    if (Object.hasOwn(vv, node)) r.fail(`distinct version vector nodes, got "${node}" twice`, at);
    setOwn(vv, node, r.varuint('a version counter'));
  }
  const hlcStart = r.offset;
  const hlc = r.varuint64('an HLC');
  const hlcEnd = r.offset;
  const writer = s.read('writer');
  if (!hasColumns) return { vv, hlc, writer, deleted };
  const m = r.count('stamped column count', 2);
  const columns: Record<string, bigint> = {};
  for (let i = 0; i < m; i++) {
    const at = r.offset;
    const column = s.read('stamped column');
    if (Object.hasOwn(columns, column)) r.fail(`distinct stamped columns, got "${column}" twice`, at);
    // A column stamped with the version's HLC repeats its bytes: it gets the same value without decoding them.
    setOwn(columns, column, r.skipRepeat(hlcStart, hlcEnd) ? hlc : r.varuint64('a column HLC'));
  }
  return { vv, hlc, writer, deleted, columns };
}

function writeColumnValue(w: ByteWriter, value: Value, canonical: boolean, event: ChangeEvent, column: string): void {
  try {
    writeValue(w, value, canonical);
  } catch (error) {
    if (!(error instanceof MappingError)) throw error;
    throw new MappingError(`${error.message} in ${tableName(event)} column "${column}"`, {
      ...where(event),
      column,
      ...(error.where.type === undefined ? {} : { type: error.where.type }),
    });
  }
}

function checkIndex(event: ChangeEvent): number {
  const index = event.tx.index;
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new MappingError(
      `transaction index ${index} is not a non-negative integer in ${tableName(event)}`,
      where(event),
    );
  }
  return index;
}

function where(event: ChangeEvent): { table: string } {
  return { table: tableName(event) };
}

function tableName(event: ChangeEvent): string {
  return `${event.table?.namespace}.${event.table?.name}`;
}
