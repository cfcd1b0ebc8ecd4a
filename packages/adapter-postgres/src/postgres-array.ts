/**
 * PostgreSQL array literals (`{1,2,NULL}`, `{"a b","c\"d"}`, `{{1,2},{3,4}}`) to nested lists of element texts and
 * back. Element texts are then mapped by the element type like any scalar.
 */

/** An element text (`null` for SQL NULL) or a nested dimension. */
export type PgArrayItem = string | null | PgArrayItem[];

/** Parses an array literal in PostgreSQL's output form. A leading dimension decoration (`[0:1]=`) is dropped. */
export function parsePgArray(text: string): PgArrayItem[] {
  let at = 0;
  const source = text.startsWith('[') ? text.slice(text.indexOf('=') + 1) : text;
  const parseList = (): PgArrayItem[] => {
    if (source[at] !== '{') throw new RangeError(`not an array literal at ${at}`);
    at += 1;
    const items: PgArrayItem[] = [];
    if (source[at] === '}') {
      at += 1;
      return items;
    }
    for (;;) {
      items.push(parseItem());
      const next = source[at];
      at += 1;
      if (next === '}') return items;
      if (next !== ',') throw new RangeError(`bad array literal at ${at - 1}`);
    }
  };
  const parseItem = (): PgArrayItem => {
    if (source[at] === '{') return parseList();
    if (source[at] === '"') {
      at += 1;
      let out = '';
      while (source[at] !== '"') {
        if (at >= source.length) throw new RangeError('unterminated quoted array element');
        if (source[at] === '\\') at += 1;
        out += source[at];
        at += 1;
      }
      at += 1;
      return out;
    }
    const start = at;
    while (at < source.length && source[at] !== ',' && source[at] !== '}') at += 1;
    const raw = source.slice(start, at);
    return raw === 'NULL' ? null : raw;
  };
  const result = parseList();
  if (at !== source.length) throw new RangeError(`trailing characters after array literal at ${at}`);
  return result;
}

/**
 * Formats nested element texts as an array literal, quoting every element so any text survives. The sink sends every
 * column of a batch this way, so a flat list of texts and NULLs with nothing to escape (the usual case) is built
 * without a regular expression, and without a string per element when it has no NULL or only NULLs.
 */
export function formatPgArray(items: readonly PgArrayItem[]): string {
  const flat = flatListShape(items);
  if (flat === 'texts') return items.length === 0 ? '{}' : `{"${(items as readonly string[]).join('","')}"}`;
  if (flat === 'nulls') return `{${'NULL,'.repeat(items.length - 1)}NULL}`;
  const parts = items.map((item) => {
    if (item === null) return 'NULL';
    if (Array.isArray(item)) return formatPgArray(item);
    return flat === 'mixed' ? `"${item}"` : `"${item.replace(/[\\"]/g, '\\$&')}"`;
  });
  return `{${parts.join(',')}}`;
}

/**
 * For a flat list whose texts need no escaping (no quote, no backslash): whether it holds only texts, only NULLs, or
 * both; `undefined` for anything else.
 */
function flatListShape(items: readonly PgArrayItem[]): 'texts' | 'nulls' | 'mixed' | undefined {
  let texts = 0;
  for (const item of items) {
    if (item === null) continue;
    if (typeof item !== 'string' || item.includes('"') || item.includes('\\')) return undefined;
    texts += 1;
  }
  return texts === items.length ? 'texts' : texts === 0 ? 'nulls' : 'mixed';
}
