import type { Hlc } from '../clock/hlc-timestamp.js';
import { IntegrityError } from '../errors.js';
import type { RowVersion } from '../model/change-event.js';

/**
 * Encodes a row version for a durable store as JSON: `{"vv":{…},"hlc":"<decimal>","writer":…,"deleted":…}` plus
 * `"columns":{"<column>":"<decimal>"}` when present. HLCs are bigints beyond 2^53, so they travel as decimal text.
 */
export function encodeRowVersion(version: RowVersion): string {
  const json: Record<string, unknown> = {
    vv: version.vv,
    hlc: version.hlc.toString(),
    writer: version.writer,
    deleted: version.deleted,
  };
  if (version.columns !== undefined) {
    json.columns = Object.fromEntries(Object.entries(version.columns).map(([c, hlc]) => [c, hlc.toString()]));
  }
  return JSON.stringify(json);
}

/** Decodes {@link encodeRowVersion}'s text; anything else is an IntegrityError naming `where` (store and row id). */
export function decodeRowVersion(text: string, where: string): RowVersion {
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
  const { vv, hlc, writer, deleted, columns } = json as Record<string, unknown>;
  if (typeof vv !== 'object' || vv === null || Array.isArray(vv)) return fail('vv');
  for (const counter of Object.values(vv)) if (!Number.isSafeInteger(counter) || (counter as number) < 0) fail('vv');
  if (typeof writer !== 'string') return fail('writer');
  if (typeof deleted !== 'boolean') return fail('deleted');
  const version: { -readonly [K in keyof RowVersion]: RowVersion[K] } = {
    vv: vv as RowVersion['vv'],
    hlc: parseHlc(hlc) ?? fail('hlc'),
    writer,
    deleted,
  };
  if (columns !== undefined) {
    if (typeof columns !== 'object' || columns === null) return fail('columns');
    const stamps: Record<string, Hlc> = {};
    for (const [column, stamp] of Object.entries(columns))
      stamps[column] = parseHlc(stamp) ?? fail(`columns.${column}`);
    version.columns = stamps;
  }
  return version;
}

function parseHlc(text: unknown): Hlc | undefined {
  return typeof text === 'string' && /^\d{1,20}$/.test(text) ? BigInt(text) : undefined;
}
