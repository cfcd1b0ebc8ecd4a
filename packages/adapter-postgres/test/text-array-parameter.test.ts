import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textArrayParameter } from '../src/text-array-parameter.js';
import { serviceUrl } from './pg-env.js';

const url = serviceUrl('PG_BACKUP_URL');
let client: pg.Client;

beforeAll(async () => {
  client = new pg.Client({ connectionString: url });
  await client.connect();
});

afterAll(async () => {
  await client.end();
});

/** What the server reads from the parameter, element by element, as JSON (so NULL and text stay apart). */
async function serverReads(items: readonly (string | null)[]): Promise<(string | null)[]> {
  const result = await client.query('SELECT to_json(coalesce($1::text[], ARRAY[]::text[]))::text AS items', [
    textArrayParameter(items),
  ]);
  return JSON.parse(result.rows[0].items);
}

/** Any text PostgreSQL can store: every code point but NUL, lone surrogates excluded (they are not UTF-8). */
const storable = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((text) => !text.includes('\u0000'));

describe('text[] parameters', () => {
  it('reach the server exactly: quotes, backslashes, braces, commas, NULL, empty texts and non-ASCII', async () => {
    const tricky = ['["1"]', '{"a":1}', 'back\\slash', '', 'NULL', 'a,b', '{}', null, 'ünï 𝄞 ç', ' padded '];
    expect(await serverReads(tricky)).toEqual(tricky);
    expect(await serverReads([])).toEqual([]);
    expect(await serverReads([null])).toEqual([null]);
  });

  it('go as a literal when nothing needs escaping, and in binary form otherwise', async () => {
    const plain = ['a', null, '', 'b c', 'ünï', 'NULL'];
    expect(typeof textArrayParameter(plain)).toBe('string');
    expect(await serverReads(plain)).toEqual(plain);
    expect(Buffer.isBuffer(textArrayParameter(['["1"]']))).toBe(true);
  });

  it('reach the server exactly for any list of storable texts and NULLs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(storable, { nil: null }), { maxLength: 20 }), async (items) => {
        expect(await serverReads(items)).toEqual(items);
      }),
      { numRuns: 200 },
    );
  });
});
