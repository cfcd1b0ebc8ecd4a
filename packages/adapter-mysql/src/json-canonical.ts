import { MappingError } from '@worker-sync/core';

/**
 * Canonical JSON text as the neutral model defines it: object keys sorted, no insignificant whitespace, numbers
 * exactly as written (so a 20-digit integer is never rounded), strings re-escaped minimally.
 */
export function canonicalJsonText(text: string): string {
  const parser = new JsonScanner(text);
  const out = parser.value();
  parser.end();
  return out;
}

class JsonScanner {
  private i = 0;

  constructor(private readonly text: string) {}

  value(): string {
    this.space();
    const c = this.text[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return JSON.stringify(this.string());
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(this.text.slice(this.i));
    if (!literal) throw this.error();
    this.i += literal[0].length;
    return literal[0];
  }

  end(): void {
    this.space();
    if (this.i !== this.text.length) throw this.error();
  }

  private object(): string {
    this.i += 1;
    const members = new Map<string, string>();
    this.space();
    if (this.text[this.i] === '}') {
      this.i += 1;
      return '{}';
    }
    for (;;) {
      this.space();
      if (this.text[this.i] !== '"') throw this.error();
      const key = this.string();
      this.space();
      if (this.text[this.i] !== ':') throw this.error();
      this.i += 1;
      members.set(key, this.value());
      this.space();
      const c = this.text[this.i++];
      if (c === '}') break;
      if (c !== ',') throw this.error();
    }
    const keys = [...members.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((key) => `${JSON.stringify(key)}:${members.get(key)}`).join(',')}}`;
  }

  private array(): string {
    this.i += 1;
    const items: string[] = [];
    this.space();
    if (this.text[this.i] === ']') {
      this.i += 1;
      return '[]';
    }
    for (;;) {
      items.push(this.value());
      this.space();
      const c = this.text[this.i++];
      if (c === ']') break;
      if (c !== ',') throw this.error();
    }
    return `[${items.join(',')}]`;
  }

  private string(): string {
    let end = this.i + 1;
    while (end < this.text.length && this.text[end] !== '"') end += this.text[end] === '\\' ? 2 : 1;
    try {
      // JSON.parse of the literal alone validates escapes and rejects raw control characters.
      const value = JSON.parse(this.text.slice(this.i, end + 1)) as string;
      this.i = end + 1;
      return value;
    } catch {
      throw this.error();
    }
  }

  private space(): void {
    while (/\s/.test(this.text[this.i] ?? '')) this.i += 1;
  }

  private error(): MappingError {
    return new MappingError(`invalid JSON at offset ${this.i}`, { type: 'json' });
  }
}
