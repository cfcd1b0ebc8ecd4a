import { MappingError } from '../errors.js';

/** Deepest nesting accepted; bounds recursion on hostile input. */
const MAX_DEPTH = 512;

type JsonNode =
  | { readonly t: 'literal'; readonly text: string }
  | { readonly t: 'string'; readonly value: string }
  | { readonly t: 'array'; readonly items: JsonNode[] }
  | { readonly t: 'object'; readonly members: Map<string, JsonNode> };

/**
 * Rewrites JSON text in canonical form, in the manner of RFC 8785: object members sorted by UTF-16 code units, no
 * insignificant whitespace, strings escaped as `JSON.stringify` does. Numbers are kept exactly as written (they
 * are never parsed into doubles), so `12345678901234567890` and `1.50` survive; two documents are equal when
 * their canonical texts are. A member name that repeats keeps its last value, as PostgreSQL `jsonb` and
 * `JSON.parse` do. Invalid JSON is a `MappingError` naming the character offset.
 *
 * @example
 * ```ts
 * canonicalJson('{ "b": 1.50, "a": [true, null] }'); // '{"a":[true,null],"b":1.50}'
 * ```
 */
export function canonicalJson(text: string): string {
  const parser = new JsonParser(text);
  const node = parser.value(0);
  parser.end();
  return serialise(node);
}

function serialise(node: JsonNode): string {
  switch (node.t) {
    case 'literal':
      return node.text;
    case 'string':
      return JSON.stringify(node.value);
    case 'array':
      return `[${node.items.map(serialise).join(',')}]`;
    case 'object': {
      const names = [...node.members.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${names.map((n) => `${JSON.stringify(n)}:${serialise(node.members.get(n)!)}`).join(',')}}`;
    }
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings must not hold raw control characters; this rejects them.
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

class JsonParser {
  #at = 0;

  constructor(private readonly text: string) {}

  value(depth: number): JsonNode {
    if (depth > MAX_DEPTH) this.#fail(`nesting no deeper than ${MAX_DEPTH}`);
    this.#space();
    const c = this.text[this.#at];
    if (c === '{') return this.#object(depth);
    if (c === '[') return this.#array(depth);
    if (c === '"') return { t: 'string', value: this.#string() };
    for (const literal of ['true', 'false', 'null']) {
      if (this.text.startsWith(literal, this.#at)) {
        this.#at += literal.length;
        return { t: 'literal', text: literal };
      }
    }
    NUMBER.lastIndex = this.#at;
    const match = NUMBER.exec(this.text);
    if (match === null) this.#fail('a JSON value');
    this.#at += match[0].length;
    return { t: 'literal', text: match[0] };
  }

  end(): void {
    this.#space();
    if (this.#at !== this.text.length) this.#fail('end of input');
  }

  #object(depth: number): JsonNode {
    this.#at++;
    const members = new Map<string, JsonNode>();
    this.#space();
    if (this.text[this.#at] === '}') {
      this.#at++;
      return { t: 'object', members };
    }
    for (;;) {
      this.#space();
      if (this.text[this.#at] !== '"') this.#fail('a member name');
      const name = this.#string();
      this.#space();
      this.#expect(':');
      members.delete(name);
      members.set(name, this.value(depth + 1));
      this.#space();
      if (this.text[this.#at] === '}') {
        this.#at++;
        return { t: 'object', members };
      }
      this.#expect(',');
    }
  }

  #array(depth: number): JsonNode {
    this.#at++;
    const items: JsonNode[] = [];
    this.#space();
    if (this.text[this.#at] === ']') {
      this.#at++;
      return { t: 'array', items };
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.#space();
      if (this.text[this.#at] === ']') {
        this.#at++;
        return { t: 'array', items };
      }
      this.#expect(',');
    }
  }

  #string(): string {
    STRING.lastIndex = this.#at;
    const match = STRING.exec(this.text);
    if (match === null) this.#fail('a valid JSON string');
    this.#at += match[0].length;
    return JSON.parse(match[0]) as string;
  }

  #expect(c: string): void {
    if (this.text[this.#at] !== c) this.#fail(`"${c}"`);
    this.#at++;
  }

  #space(): void {
    while (this.#at < this.text.length) {
      const c = this.text.charCodeAt(this.#at);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
      this.#at++;
    }
  }

  #fail(expected: string): never {
    throw new MappingError(`invalid JSON at character ${this.#at}: expected ${expected}`, { type: 'json' });
  }
}
