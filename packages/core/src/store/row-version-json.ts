import type { Hlc } from '../clock/hlc-timestamp.js';
import { ByteReader } from '../codec/byte-reader.js';
import { ByteWriter } from '../codec/byte-writer.js';
import { readFields, writeFields } from '../codec/value-codec.js';
import { IntegrityError } from '../errors.js';
import type { ViewVersion } from '../interfaces/checkpoint-store.js';
import type { Row } from '../model/value.js';

/**
 * Encodes a row version for a durable store as JSON: `{"vv":{…},"hlc":"<decimal>","writer":…,"deleted":…}` plus
 * `"columns":{"<column>":"<decimal>"}` when present, and `"unwritten"` (null, or the row in the value codec's
 * bytes as base64url, which keeps every neutral type exact) when present. HLCs are bigints beyond 2^53, so they
 * travel as decimal text.
 */
export function encodeRowVersion(version: ViewVersion): string {
  const json: Record<string, unknown> = {
    vv: version.vv,
    hlc: version.hlc.toString(),
    writer: version.writer,
    deleted: version.deleted,
  };
  if (version.columns !== undefined) {
    json.columns = Object.fromEntries(Object.entries(version.columns).map(([c, hlc]) => [c, hlc.toString()]));
  }
  if (version.unwritten !== undefined)
    json.unwritten = version.unwritten === null ? null : encodeRow(version.unwritten);
  return JSON.stringify(json);
}

function encodeRow(row: Row): string {
  const w = new ByteWriter();
  writeFields(w, row, false);
  return Buffer.from(w.written()).toString('base64url');
}

function decodeRow(text: string): Row {
  // A plain Uint8Array, so bytes values read from it are Uint8Arrays as the codec gives them, not Buffers.
  const r = new ByteReader(new Uint8Array(Buffer.from(text, 'base64url')));
  const row = readFields(r);
  if (r.remaining !== 0) r.fail('the end of the row', r.offset);
  return row;
}

/** Decodes {@link encodeRowVersion}'s text; anything else is an IntegrityError naming `where` (store and row id). */
export function decodeRowVersion(text: string, where: string): ViewVersion {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new IntegrityError(`${where}: stored row version is not JSON`, 'INTEGRITY', { cause: error });
  }
  const fail = (field: string): never => {
    throw new IntegrityError(`${where}: stored row version has an invalid ${field}`);
  };
  if (typeof json !== 'object' || json === null) return fail('shape');
  const { vv, hlc, writer, deleted, columns, unwritten } = json as Record<string, unknown>;
  if (typeof vv !== 'object' || vv === null || Array.isArray(vv)) return fail('vv');
  for (const counter of Object.values(vv)) if (!Number.isSafeInteger(counter) || (counter as number) < 0) fail('vv');
  if (typeof writer !== 'string') return fail('writer');
  if (typeof deleted !== 'boolean') return fail('deleted');
  const version: { -readonly [K in keyof ViewVersion]: ViewVersion[K] } = {
    vv: vv as ViewVersion['vv'],
    hlc: parseHlc(hlc) ?? fail('hlc'),
    writer,
    deleted,
  };
  if (columns !== undefined) {
    if (typeof columns !== 'object' || columns === null) return fail('columns');
    const stamps: Record<string, Hlc> = {};
    for (const [column, stamp] of Object.entries(columns)) {
      // Defined, not assigned: a column may be named `__proto__`.
      Object.defineProperty(stamps, column, {
        value: parseHlc(stamp) ?? fail(`columns.${column}`),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    version.columns = stamps;
  }
  if (unwritten === null) version.unwritten = null;
  else if (unwritten !== undefined) {
    if (typeof unwritten !== 'string') return fail('unwritten');
    try {
      version.unwritten = decodeRow(unwritten);
    } catch (error) {
      throw new IntegrityError(`${where}: stored row version has an invalid unwritten row`, 'INTEGRITY', {
        cause: error,
      });
    }
  }
  return version;
}

function parseHlc(text: unknown): Hlc | undefined {
  return typeof text === 'string' && /^\d{1,20}$/.test(text) ? BigInt(text) : undefined;
}
