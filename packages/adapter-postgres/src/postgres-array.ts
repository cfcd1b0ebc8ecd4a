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
 * column of a batch this way, so flat lists (the usual case) are built from a few whole-string operations rather than
 * strings and regular expressions per element.
 */
export function formatPgArray(items: readonly PgArrayItem[]): string {
  switch (flatListShape(items)) {
    case 'texts':
      return items.length === 0 ? '{}' : `{"${(items as readonly string[]).join('","')}"}`;
    case 'nulls':
      return `{${'NULL,'.repeat(items.length - 1)}NULL}`;
    case 'mixed':
      return `{${items.map((item) => (item === null ? 'NULL' : `"${item}"`)).join(',')}}`;
    case 'escaped': {
      // NUL separates the elements while their quotes and backslashes are escaped; no element holds one.
      const escaped = (items as readonly string[]).join('\u0000').replace(/[\\"]/g, '\\$&');
      return `{"${escaped.replaceAll('\u0000', '","')}"}`;
    }
    default: {
      const parts = items.map((item) => {
        if (item === null) return 'NULL';
        if (Array.isArray(item)) return formatPgArray(item);
        return `"${item.replace(/[\\"]/g, '\\$&')}"`;
      });
      return `{${parts.join(',')}}`;
    }
  }
}

/**
 * The shape of a flat list: only texts with nothing to escape (no quote, no backslash), only NULLs, both, or only
 * texts of which some need escaping (none holding NUL); `undefined` for anything else.
 */
function flatListShape(items: readonly PgArrayItem[]): 'texts' | 'nulls' | 'mixed' | 'escaped' | undefined {
  let texts = 0;
  let escaping = false;
  let nul = false;
  for (const item of items) {
    if (item === null) continue;
    if (typeof item !== 'string') return undefined;
    if (item.includes('"') || item.includes('\\')) escaping = true;
    if (item.includes('\u0000')) nul = true;
    texts += 1;
  }
  if (escaping) return texts === items.length && !nul ? 'escaped' : undefined;
  return texts === items.length ? 'texts' : texts === 0 ? 'nulls' : 'mixed';
}
