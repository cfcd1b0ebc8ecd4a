import { type Token, TokenCursor, tokenize } from './ddl-tokenizer.js';

/** A table named in DDL, with the statement's default database filled in. */
export interface QualifiedName {
  readonly database: string;
  readonly table: string;
}

/** A column as a DDL statement declares it; `charset` undefined means "the table's default". */
export interface ColumnDraft {
  readonly name: string;
  readonly columnType: string;
  readonly charset: string | null | undefined;
  readonly json: boolean;
  readonly nullable: boolean;
  readonly primary: boolean;
}

/** Where ADD, CHANGE or MODIFY places a column. */
export type ColumnPlace = { readonly first: true } | { readonly after: string } | undefined;

/** One schema-changing clause of ALTER TABLE. */
export type AlterAction =
  | { readonly kind: 'add'; readonly column: ColumnDraft; readonly place: ColumnPlace }
  | { readonly kind: 'drop'; readonly name: string }
  | { readonly kind: 'change'; readonly from: string; readonly column: ColumnDraft; readonly place: ColumnPlace }
  | { readonly kind: 'rename-column'; readonly from: string; readonly to: string }
  | { readonly kind: 'primary-key'; readonly columns: readonly string[] }
  | { readonly kind: 'drop-primary-key' }
  | { readonly kind: 'rename-table'; readonly to: QualifiedName }
  | { readonly kind: 'convert-charset'; readonly charset: string }
  | { readonly kind: 'default-charset'; readonly charset: string };

/** What a DDL statement does to the tables a source tracks. */
export type DdlChange =
  | {
      readonly kind: 'create';
      readonly table: QualifiedName;
      readonly columns: readonly ColumnDraft[];
      readonly primaryKey: readonly string[];
      readonly defaultCharset?: string;
      readonly like?: QualifiedName;
    }
  | { readonly kind: 'alter'; readonly table: QualifiedName; readonly actions: readonly AlterAction[] }
  | { readonly kind: 'rename'; readonly from: QualifiedName; readonly to: QualifiedName }
  | { readonly kind: 'drop'; readonly table: QualifiedName }
  | { readonly kind: 'truncate'; readonly table: QualifiedName };

/**
 * Parses the table DDL a binlog query event carries: CREATE TABLE, ALTER TABLE (ADD/DROP/CHANGE/MODIFY/RENAME
 * COLUMN, primary key, RENAME TO, CONVERT TO CHARACTER SET), RENAME TABLE, DROP TABLE and TRUNCATE. Other statements
 * (indexes, views, grants, DML) give no changes. Clauses that do not change columns are ignored.
 */
export function parseDdl(sql: string, defaultDatabase: string): DdlChange[] {
  const cursor = new TokenCursor(tokenize(sql));
  if (cursor.accept('CREATE')) {
    cursor.accept('OR', 'REPLACE');
    cursor.accept('TEMPORARY');
    if (!cursor.accept('TABLE')) return [];
    cursor.accept('IF', 'NOT', 'EXISTS');
    return [parseCreate(cursor, qualified(cursor, defaultDatabase), defaultDatabase)];
  }
  if (cursor.accept('ALTER')) {
    cursor.accept('ONLINE');
    cursor.accept('IGNORE');
    if (!cursor.accept('TABLE')) return [];
    cursor.accept('IF', 'EXISTS');
    const table = qualified(cursor, defaultDatabase);
    cursor.accept('WAIT') || cursor.accept('NOWAIT');
    return [
      {
        kind: 'alter',
        table,
        actions: cursor.splitTopLevel().flatMap((part) => parseAlterAction(part, defaultDatabase)),
      },
    ];
  }
  if (cursor.accept('RENAME', 'TABLE') || cursor.accept('RENAME', 'TABLES')) {
    cursor.accept('IF', 'EXISTS');
    return cursor.splitTopLevel().map((part) => {
      const pair = new TokenCursor(part);
      const from = qualified(pair, defaultDatabase);
      pair.accept('WAIT') || pair.accept('NOWAIT');
      pair.accept('TO');
      return { kind: 'rename', from, to: qualified(pair, defaultDatabase) };
    });
  }
  if (cursor.accept('DROP')) {
    cursor.accept('TEMPORARY');
    if (!cursor.accept('TABLE') && !cursor.accept('TABLES')) return [];
    cursor.accept('IF', 'EXISTS');
    return cursor
      .splitTopLevel()
      .map((part) => ({ kind: 'drop', table: qualified(new TokenCursor(part), defaultDatabase) }) as const);
  }
  if (cursor.accept('TRUNCATE')) {
    cursor.accept('TABLE');
    return [{ kind: 'truncate', table: qualified(cursor, defaultDatabase) }];
  }
  return [];
}

function qualified(cursor: TokenCursor, defaultDatabase: string): QualifiedName {
  const first = cursor.name() ?? '';
  if (cursor.acceptPunct('.')) return { database: first, table: cursor.name() ?? '' };
  return { database: defaultDatabase, table: first };
}

function parseCreate(cursor: TokenCursor, table: QualifiedName, defaultDatabase: string): DdlChange {
  if (cursor.accept('LIKE'))
    return { kind: 'create', table, columns: [], primaryKey: [], like: qualified(cursor, defaultDatabase) };
  if (cursor.acceptPunct('(')) {
    const inner = new TokenCursor(cursor.parenthesised());
    if (inner.accept('LIKE')) {
      return { kind: 'create', table, columns: [], primaryKey: [], like: qualified(inner, defaultDatabase) };
    }
    const columns: ColumnDraft[] = [];
    let primaryKey: string[] = [];
    for (const part of inner.splitTopLevel()) {
      const pk = tablePrimaryKey(part);
      if (pk) primaryKey = pk;
      else if (!isTableConstraint(part)) columns.push(parseColumn(new TokenCursor(part)));
    }
    if (primaryKey.length === 0) primaryKey = columns.filter((column) => column.primary).map((column) => column.name);
    const defaultCharset = tableCharset(cursor.splitTopLevel().flat());
    return { kind: 'create', table, columns, primaryKey, ...(defaultCharset ? { defaultCharset } : {}) };
  }
  return { kind: 'create', table, columns: [], primaryKey: [] };
}

const CONSTRAINT_WORDS = new Set([
  'KEY',
  'INDEX',
  'UNIQUE',
  'FULLTEXT',
  'SPATIAL',
  'FOREIGN',
  'CHECK',
  'CONSTRAINT',
  'PERIOD',
]);

function isTableConstraint(part: Token[]): boolean {
  const first = part[0];
  return first?.kind === 'word' && CONSTRAINT_WORDS.has(first.text);
}

/** `PRIMARY KEY (a, b)` or `CONSTRAINT name PRIMARY KEY (a, b)`: the key columns; undefined otherwise. */
function tablePrimaryKey(part: Token[]): string[] | undefined {
  const cursor = new TokenCursor(part);
  if (cursor.accept('CONSTRAINT')) {
    if (!(cursor.peek()?.kind === 'word' && cursor.peek()?.text === 'PRIMARY')) cursor.next();
  }
  if (!cursor.accept('PRIMARY', 'KEY')) return undefined;
  while (!cursor.done && !cursor.acceptPunct('(')) cursor.next();
  return new TokenCursor(cursor.parenthesised()).splitTopLevel().map((column) => nameOf(column[0]!));
}

function nameOf(token: Token): string {
  return token.kind === 'ident' ? token.text : token.raw;
}

function tableCharset(tokens: Token[]): string | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const isCharset = token.text === 'CHARSET' || (token.text === 'CHARACTER' && tokens[i + 1]?.text === 'SET');
    if (token.kind === 'word' && isCharset) {
      let j = token.text === 'CHARSET' ? i + 1 : i + 2;
      if (tokens[j]?.text === '=') j += 1;
      if (tokens[j]) return nameOf(tokens[j]!).toLowerCase();
    }
    if (token.kind === 'word' && token.text === 'COLLATE') {
      let j = i + 1;
      if (tokens[j]?.text === '=') j += 1;
      if (tokens[j]) return nameOf(tokens[j]!).toLowerCase().split('_')[0];
    }
  }
  return undefined;
}

function parseAlterAction(part: Token[], defaultDatabase: string): AlterAction[] {
  const cursor = new TokenCursor(part);
  if (cursor.accept('ADD')) {
    if (cursor.accept('PRIMARY', 'KEY') || (cursor.accept('CONSTRAINT') && skipTo(cursor, 'PRIMARY'))) {
      return [
        {
          kind: 'primary-key',
          columns:
            tablePrimaryKey([
              { kind: 'word', text: 'PRIMARY', raw: 'PRIMARY' },
              { kind: 'word', text: 'KEY', raw: 'KEY' },
              ...rest(cursor),
            ]) ?? [],
        },
      ];
    }
    if (isTableConstraint(part.slice(1))) return [];
    cursor.accept('COLUMN');
    cursor.accept('IF', 'NOT', 'EXISTS');
    if (cursor.acceptPunct('(')) {
      return new TokenCursor(cursor.parenthesised())
        .splitTopLevel()
        .filter((column) => !isTableConstraint(column))
        .map((column) => ({ kind: 'add', column: parseColumn(new TokenCursor(column)), place: undefined }) as const);
    }
    const { column, place } = parseColumnWithPlace(cursor);
    return [{ kind: 'add', column, place }];
  }
  if (cursor.accept('DROP')) {
    if (cursor.accept('PRIMARY', 'KEY')) return [{ kind: 'drop-primary-key' }];
    const next = cursor.peek();
    if (next?.kind === 'word' && ['INDEX', 'KEY', 'FOREIGN', 'CONSTRAINT', 'CHECK', 'PARTITION'].includes(next.text))
      return [];
    cursor.accept('COLUMN');
    cursor.accept('IF', 'EXISTS');
    return [{ kind: 'drop', name: cursor.name() ?? '' }];
  }
  if (cursor.accept('CHANGE')) {
    cursor.accept('COLUMN');
    cursor.accept('IF', 'EXISTS');
    const from = cursor.name() ?? '';
    const { column, place } = parseColumnWithPlace(cursor);
    return [{ kind: 'change', from, column, place }];
  }
  if (cursor.accept('MODIFY')) {
    cursor.accept('COLUMN');
    cursor.accept('IF', 'EXISTS');
    const { column, place } = parseColumnWithPlace(cursor);
    return [{ kind: 'change', from: column.name, column, place }];
  }
  if (cursor.accept('RENAME', 'COLUMN')) {
    cursor.accept('IF', 'EXISTS');
    const from = cursor.name() ?? '';
    cursor.accept('TO');
    return [{ kind: 'rename-column', from, to: cursor.name() ?? '' }];
  }
  if (cursor.accept('RENAME')) {
    if (cursor.accept('INDEX') || cursor.accept('KEY')) return [];
    cursor.accept('TO') || cursor.accept('AS');
    return [{ kind: 'rename-table', to: qualified(cursor, defaultDatabase) }];
  }
  if (cursor.accept('CONVERT', 'TO')) {
    const charset = tableCharset(rest(cursor));
    return charset ? [{ kind: 'convert-charset', charset }] : [];
  }
  const charset = tableCharset(part);
  const first = part[0];
  if (charset && first?.kind === 'word' && ['DEFAULT', 'CHARACTER', 'CHARSET', 'COLLATE'].includes(first.text)) {
    return [{ kind: 'default-charset', charset }];
  }
  return [];
}

function skipTo(cursor: TokenCursor, word: string): boolean {
  while (!cursor.done) {
    if (cursor.accept(word, 'KEY')) return true;
    cursor.next();
  }
  return false;
}

function rest(cursor: TokenCursor): Token[] {
  const out: Token[] = [];
  while (!cursor.done) out.push(cursor.next()!);
  return out;
}

function parseColumnWithPlace(cursor: TokenCursor): { column: ColumnDraft; place: ColumnPlace } {
  const tokens = rest(cursor);
  let place: ColumnPlace;
  const last = tokens.at(-1);
  const beforeLast = tokens.at(-2);
  if (last?.kind === 'word' && last.text === 'FIRST') {
    place = { first: true };
    tokens.pop();
  } else if (beforeLast?.kind === 'word' && beforeLast.text === 'AFTER' && last) {
    place = { after: nameOf(last) };
    tokens.splice(-2, 2);
  }
  return { column: parseColumn(new TokenCursor(tokens)), place };
}

const TYPE_SYNONYMS: Readonly<Record<string, string>> = {
  INTEGER: 'int',
  INT4: 'int',
  INT8: 'bigint',
  INT2: 'smallint',
  INT1: 'tinyint',
  INT3: 'mediumint',
  MIDDLEINT: 'mediumint',
  DEC: 'decimal',
  NUMERIC: 'decimal',
  FIXED: 'decimal',
  REAL: 'double',
  FLOAT8: 'double',
  FLOAT4: 'float',
  CHARACTER: 'char',
  NCHAR: 'char',
  NVARCHAR: 'varchar',
};

const BINARY_BASES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob']);
const TEXT_BASES = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set']);

/** Parses `name type [(args)] [UNSIGNED] [attributes…]` into a column draft with a normalised COLUMN_TYPE. */
function parseColumn(cursor: TokenCursor): ColumnDraft {
  const name = cursor.name() ?? '';
  const typeWord = cursor.next();
  let base = (typeWord?.text ?? '').toUpperCase();
  if (base === 'DOUBLE') cursor.accept('PRECISION');
  if ((base === 'CHARACTER' || base === 'CHAR') && cursor.accept('VARYING')) base = 'VARCHAR';
  if (base === 'NATIONAL') base = (cursor.next()?.text ?? '').toUpperCase();
  if (base === 'LONG') {
    const binary = cursor.accept('VARBINARY');
    if (!binary) cursor.accept('VARCHAR');
    base = binary ? 'MEDIUMBLOB' : 'MEDIUMTEXT';
  }
  let columnType = TYPE_SYNONYMS[base] ?? base.toLowerCase();
  let json = false;
  let primary = false;
  let nullable = true;
  let charset: string | null | undefined;
  if (columnType === 'bool' || columnType === 'boolean') columnType = 'tinyint(1)';
  else if (columnType === 'serial') {
    columnType = 'bigint(20) unsigned';
    nullable = false;
  } else if (columnType === 'json') json = true;
  if (cursor.acceptPunct('(')) columnType += `(${normaliseArgs(cursor.parenthesised(), columnType)})`;
  const modifiers: string[] = [];
  while (cursor.accept('UNSIGNED') || cursor.accept('SIGNED') || cursor.accept('ZEROFILL')) {
    const word = cursor.peek(-1)?.text.toLowerCase();
    if (word && word !== 'signed') modifiers.push(word === 'zerofill' ? 'zerofill' : 'unsigned');
  }
  if (modifiers.includes('zerofill') && !modifiers.includes('unsigned')) modifiers.unshift('unsigned');
  if (modifiers.length > 0) columnType += ` ${[...new Set(modifiers)].join(' ')}`;
  const baseName = columnType.replace(/\(.*$/s, '').split(' ')[0]!;
  if (BINARY_BASES.has(baseName)) charset = null;
  while (!cursor.done) {
    if (cursor.accept('CHARACTER', 'SET') || cursor.accept('CHARSET')) charset = (cursor.name() ?? '').toLowerCase();
    else if (cursor.accept('COLLATE')) charset ??= (cursor.name() ?? '').toLowerCase().split('_')[0];
    else if (cursor.accept('NOT', 'NULL')) nullable = false;
    else if (cursor.accept('PRIMARY', 'KEY')) {
      primary = true;
      nullable = false;
    } else if (cursor.accept('BINARY') && TEXT_BASES.has(baseName)) {
      // `VARCHAR(10) BINARY` is a binary collation of a text charset, not bytes.
    } else if (cursor.accept('CHECK')) {
      const check = cursor.acceptPunct('(') ? cursor.parenthesised() : [];
      if (check[0]?.text === 'JSON_VALID') json = true;
    } else cursor.next();
  }
  if (charset === 'binary' && (baseName === 'char' || baseName === 'varchar')) {
    columnType = columnType.replace(/^(var)?char/, (_m, v: string | undefined) => (v ? 'varbinary' : 'binary'));
    charset = null;
  }
  if (json) charset = charset ?? 'utf8mb4';
  if (!TEXT_BASES.has(baseName) && !json && charset !== null) charset = null;
  return { name, columnType, charset, json, nullable, primary };
}

function normaliseArgs(tokens: Token[], base: string): string {
  if (base === 'enum' || base === 'set') {
    return tokens
      .filter((token) => token.kind === 'string')
      .map((token) => `'${token.text.replace(/'/g, "''")}'`)
      .join(',');
  }
  return tokens.map((token) => token.text).join('');
}
