/**
 * Canonical JSON text: object keys sorted by code unit, no insignificant whitespace, numbers kept exactly as written
 * (so `jsonb`'s `1.50` or a 20-digit integer is never rounded through a JS number). Used to compare `json`/`jsonb`
 * values that PostgreSQL formats differently (`jsonb` adds spaces and reorders keys).
 */
export function canonicalJsonText(text: string): string {
  let at = 0;
  const ws = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at]!)) at += 1;
  };
  const value = (): string => {
    ws();
    const c = text[at];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    const match = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(at));
    if (match === null) throw new SyntaxError(`invalid JSON at offset ${at}`);
    at += match[0].length;
    return match[0];
  };
  const string = (): string => {
    const start = at;
    at += 1;
    while (text[at] !== '"') {
      if (at >= text.length) throw new SyntaxError('unterminated JSON string');
      at += text[at] === '\\' ? 2 : 1;
    }
    at += 1;
    // Re-serialise so equivalent escapes (`\u0041` and `A`) give the same text.
    return JSON.stringify(JSON.parse(text.slice(start, at)) as string);
  };
  const array = (): string => {
    at += 1;
    const items: string[] = [];
    ws();
    if (text[at] === ']') {
      at += 1;
      return '[]';
    }
    for (;;) {
      items.push(value());
      ws();
      const c = text[at++];
      if (c === ']') return `[${items.join(',')}]`;
      if (c !== ',') throw new SyntaxError(`invalid JSON array at offset ${at - 1}`);
    }
  };
  const object = (): string => {
    at += 1;
    const entries = new Map<string, string>();
    ws();
    if (text[at] === '}') {
      at += 1;
      return '{}';
    }
    for (;;) {
      ws();
      const key = string();
      ws();
      if (text[at++] !== ':') throw new SyntaxError(`invalid JSON object at offset ${at - 1}`);
      // Last duplicate key wins, as in jsonb.
      entries.set(key, value());
      ws();
      const c = text[at++];
      if (c === '}') break;
      if (c !== ',') throw new SyntaxError(`invalid JSON object at offset ${at - 1}`);
    }
    const keys = [...entries.keys()].sort((a, b) => {
      const x = JSON.parse(a) as string;
      const y = JSON.parse(b) as string;
      return x < y ? -1 : x > y ? 1 : 0;
    });
    return `{${keys.map((k) => `${k}:${entries.get(k)}`).join(',')}}`;
  };
  const out = value();
  ws();
  if (at !== text.length) throw new SyntaxError(`trailing characters after JSON at offset ${at}`);
  return out;
}
