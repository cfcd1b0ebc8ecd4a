/** One lexical token of a DDL statement. */
export interface Token {
  readonly kind: 'word' | 'ident' | 'string' | 'number' | 'punct';
  /** Words are upper-cased; identifiers and strings are unquoted. */
  readonly text: string;
  /** The source text of the token, as written. */
  readonly raw: string;
}

/**
 * Splits SQL into tokens: backquoted identifiers, quoted strings, numbers, words and punctuation. Comments are
 * dropped, except MariaDB/MySQL executable comments (`/*! … *\/`), whose content the server runs and so is kept.
 */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      i = skipTo(sql, i, '\n');
    } else if (c === '#') {
      i = skipTo(sql, i, '\n');
    } else if (c === '/' && sql[i + 1] === '*') {
      if (sql[i + 2] === '!' || (sql[i + 2] === 'M' && sql[i + 3] === '!')) {
        i += sql[i + 2] === '!' ? 3 : 4;
        while (/\d/.test(sql[i] ?? '')) i += 1;
      } else {
        const end = sql.indexOf('*/', i + 2);
        i = end === -1 ? sql.length : end + 2;
      }
    } else if (c === '*' && sql[i + 1] === '/') {
      i += 2;
    } else if (c === '`') {
      const [text, next] = readQuoted(sql, i, '`');
      tokens.push({ kind: 'ident', text, raw: sql.slice(i, next) });
      i = next;
    } else if (c === "'" || c === '"') {
      const [text, next] = readQuoted(sql, i, c);
      tokens.push({ kind: 'string', text, raw: sql.slice(i, next) });
      i = next;
    } else if (/[0-9]/.test(c)) {
      const match = /^[0-9]+(?:\.[0-9]+)?/.exec(sql.slice(i))!;
      tokens.push({ kind: 'number', text: match[0], raw: match[0] });
      i += match[0].length;
    } else if (/[A-Za-z_$\u0080-\uffff]/.test(c)) {
      const match = /^[A-Za-z0-9_$\u0080-\uffff]+/.exec(sql.slice(i))!;
      tokens.push({ kind: 'word', text: match[0].toUpperCase(), raw: match[0] });
      i += match[0].length;
    } else {
      tokens.push({ kind: 'punct', text: c, raw: c });
      i += 1;
    }
  }
  return tokens;
}

function skipTo(sql: string, from: number, char: string): number {
  const end = sql.indexOf(char, from);
  return end === -1 ? sql.length : end + 1;
}

function readQuoted(sql: string, from: number, quote: string): [string, number] {
  let text = '';
  let i = from + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === '\\' && quote !== '`') {
      text += sql[i + 1] ?? '';
      i += 2;
    } else if (c === quote) {
      if (sql[i + 1] === quote) {
        text += quote;
        i += 2;
      } else {
        return [text, i + 1];
      }
    } else {
      text += c;
      i += 1;
    }
  }
  return [text, i];
}

/** A cursor over tokens with the few look-ahead helpers the DDL parser needs. */
export class TokenCursor {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  get done(): boolean {
    return this.index >= this.tokens.length;
  }

  peek(offset = 0): Token | undefined {
    return this.tokens[this.index + offset];
  }

  next(): Token | undefined {
    const token = this.tokens[this.index];
    this.index += 1;
    return token;
  }

  /** Consumes the words given (in order) if they come next; returns whether they did. */
  accept(...words: string[]): boolean {
    for (const [offset, word] of words.entries()) {
      const token = this.peek(offset);
      if (token === undefined || token.kind !== 'word' || token.text !== word) return false;
    }
    this.index += words.length;
    return true;
  }

  acceptPunct(char: string): boolean {
    const token = this.peek();
    if (token?.kind === 'punct' && token.text === char) {
      this.index += 1;
      return true;
    }
    return false;
  }

  /** An identifier or (non-reserved) word used as a name, unquoted as written. */
  name(): string | undefined {
    const token = this.next();
    if (token === undefined) return undefined;
    return token.kind === 'ident' ? token.text : token.kind === 'word' ? token.raw : undefined;
  }

  /** Tokens up to the matching close parenthesis (the open one already consumed). */
  parenthesised(): Token[] {
    const out: Token[] = [];
    let depth = 1;
    while (!this.done) {
      const token = this.next()!;
      if (token.kind === 'punct' && token.text === '(') depth += 1;
      if (token.kind === 'punct' && token.text === ')') {
        depth -= 1;
        if (depth === 0) return out;
      }
      out.push(token);
    }
    return out;
  }

  /** Remaining tokens, split at top-level commas. */
  splitTopLevel(): Token[][] {
    const parts: Token[][] = [[]];
    let depth = 0;
    while (!this.done) {
      const token = this.next()!;
      if (token.kind === 'punct' && token.text === '(') depth += 1;
      if (token.kind === 'punct' && token.text === ')') depth -= 1;
      if (depth === 0 && token.kind === 'punct' && token.text === ',') parts.push([]);
      else parts.at(-1)!.push(token);
    }
    return parts.filter((part) => part.length > 0);
  }
}
