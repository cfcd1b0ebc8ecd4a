import { type AnyBinlogEvent, type ColumnSchema, GtidSet, MariadbGtidPosition } from '@vlasky/zongji';
import { type CapturedChange, IntegrityError, type TableRef } from '@worker-sync/core';
import type { BinlogReader } from './binlog-reader.js';
import { BinlogTransaction } from './binlog-transaction.js';
import { ROW_VERSIONS_TABLE } from './mysql-metadata.js';
import { encodePosition } from './mysql-position.js';
import type { SchemaHistory, SchemaRecord } from './mysql-schema-history.js';
import type { TableSchema } from './mysql-table-catalog.js';
import { TableMapping } from './mysql-table-mapping.js';
import type { MySqlTypeOptions } from './mysql-types.js';

/** What the decoder hands the source, in log order. */
export type DecodedItem =
  | { readonly kind: 'changes'; readonly changes: readonly CapturedChange[]; readonly position: string }
  | { readonly kind: 'schema'; readonly records: readonly SchemaRecord[] }
  | { readonly kind: 'heartbeat'; readonly position: string }
  | { readonly kind: 'error'; readonly error: Error };

/** The decoder's view of the captured tables. */
export interface DecoderContext {
  readonly history: SchemaHistory;
  readonly typeOptions: MySqlTypeOptions;
  readonly metadataDatabase: string;
  readonly tracks: (database: string, table: string) => boolean;
  readonly emit: (item: DecodedItem) => void;
}

const DDL_PATTERN = /^\s*(?:\/\*.*?\*\/\s*)*(CREATE|ALTER|DROP|RENAME|TRUNCATE)\b/is;

/**
 * Turns zongji events into whole captured transactions, synchronously and in log order: the schema history is
 * advanced by each DDL before the next table-map event asks for columns, and every row is converted with the
 * mapping of its own position.
 */
export class BinlogDecoder {
  private tx: BinlogTransaction | undefined;
  private pendingGtid: string | undefined;
  private readonly mappings = new Map<string, { schema: TableSchema; mapping: TableMapping }>();

  constructor(private readonly context: DecoderContext) {}

  /** Column schemas in zongji's INFORMATION_SCHEMA shape for a table as of the current position. */
  columnsFor(database: string, table: string): ColumnSchema[] | undefined {
    if (database === this.context.metadataDatabase && table === ROW_VERSIONS_TABLE) return undefined;
    const schema = this.context.history.get(database, table);
    return schema?.columns.map((column) => ({
      COLUMN_NAME: column.name,
      COLUMN_TYPE: column.columnType,
      CHARACTER_SET_NAME: column.charset,
      COLLATION_NAME: null,
      COLUMN_COMMENT: '',
    }));
  }

  /** Handles one event; errors are emitted as items so they surface in order. */
  handle(event: AnyBinlogEvent, reader: BinlogReader): void {
    try {
      this.dispatch(event, reader);
    } catch (error) {
      this.context.emit({ kind: 'error', error: error as Error });
    }
  }

  private dispatch(event: AnyBinlogEvent, reader: BinlogReader): void {
    switch (event.getEventName()) {
      case 'mariadbgtid':
      case 'gtid': {
        const gtid = (event as { gtid: string }).gtid;
        this.pendingGtid = gtid;
        this.tx = new BinlogTransaction(gtid);
        return;
      }
      case 'writerows':
      case 'updaterows':
      case 'deleterows':
        this.rows(
          event as AnyBinlogEvent & {
            tableId: number;
            rows: unknown[];
            tableMap: Record<number, { parentSchema: string; tableName: string }>;
          },
        );
        return;
      case 'xid':
        this.commit(event, reader);
        return;
      case 'query':
        this.query(event as AnyBinlogEvent & { query: string; schema: string }, reader);
        return;
      case 'heartbeat':
        if (this.tx === undefined && event.nextPosition > 0) {
          this.context.emit({ kind: 'heartbeat', position: this.position(reader, event.nextPosition) });
        }
        return;
      case 'transactionpayload':
      case 'partialupdaterows':
        throw new IntegrityError(
          `binlog event ${event.getEventName()} cannot be decoded: set binlog_transaction_compression=OFF and binlog_row_value_options='' on the server`,
          'BINLOG_UNDECODABLE',
        );
      default:
        return;
    }
  }

  private rows(
    event: AnyBinlogEvent & {
      tableId: number;
      rows: unknown[];
      tableMap: Record<number, { parentSchema: string; tableName: string }>;
    },
  ): void {
    const entry = event.tableMap[event.tableId];
    if (entry === undefined) return;
    this.tx ??= new BinlogTransaction(`${entry.parentSchema}:${event.nextPosition}`);
    const tx = this.tx;
    const name = event.getEventName();
    if (entry.parentSchema === this.context.metadataDatabase && entry.tableName === ROW_VERSIONS_TABLE) {
      if (name === 'deleterows') return;
      tx.addShadows(event.rows, name === 'updaterows', (table) => this.columnNames(table));
      return;
    }
    if (!this.context.tracks(entry.parentSchema, entry.tableName)) return;
    const table = { namespace: entry.parentSchema, name: entry.tableName };
    const mapping = this.mapping(table);
    if (mapping === undefined) {
      throw new IntegrityError(
        `no schema known for ${table.namespace}.${table.name} at this binlog position`,
        'SCHEMA_HISTORY',
      );
    }
    tx.addRows(name === 'writerows' ? 'insert' : name === 'updaterows' ? 'update' : 'delete', mapping, event.rows);
  }

  private columnNames(table: TableRef): readonly string[] | undefined {
    if (!this.context.tracks(table.namespace, table.name)) return undefined;
    return this.context.history.get(table.namespace, table.name)?.columns.map((column) => column.name) ?? [];
  }

  private mapping(table: TableRef): TableMapping | undefined {
    const schema = this.context.history.get(table.namespace, table.name);
    if (schema === undefined) return undefined;
    const id = `${table.namespace}.${table.name}`;
    const cached = this.mappings.get(id);
    if (cached?.schema === schema) return cached.mapping;
    const mapping = new TableMapping(table, schema, this.context.typeOptions);
    this.mappings.set(id, { schema, mapping });
    return mapping;
  }

  private commit(event: AnyBinlogEvent, reader: BinlogReader): void {
    const tx = this.tx;
    this.tx = undefined;
    this.pendingGtid = undefined;
    const position = this.position(reader, event.nextPosition);
    const changes = tx === undefined || tx.empty ? [] : tx.commit(position, BigInt(event.timestamp) * 1000n);
    this.context.emit({ kind: 'changes', changes, position });
  }

  private query(event: AnyBinlogEvent & { query: string; schema: string }, reader: BinlogReader): void {
    const sql = event.query.trim();
    const upper = sql.toUpperCase();
    if (upper === 'BEGIN' || upper.startsWith('XA START')) {
      this.tx ??= new BinlogTransaction(`${reader.filename}:${event.nextPosition}`);
      return;
    }
    if (upper === 'COMMIT' || upper.startsWith('XA COMMIT')) {
      this.commit(event, reader);
      return;
    }
    if (!DDL_PATTERN.test(sql)) return;
    // A DDL statement is its own event group: its position includes its own GTID, so resuming there never replays it.
    const position = this.position(reader, event.nextPosition, this.pendingGtid);
    this.pendingGtid = undefined;
    this.tx = undefined;
    const effect = this.context.history.apply(sql, event.schema, position);
    for (const record of effect.records) reader.forgetTable(record.database, record.table);
    if (effect.records.length > 0) this.context.emit({ kind: 'schema', records: effect.records });
    const changes: CapturedChange[] = effect.truncated.map((name, index) => ({
      op: 'truncate',
      table: { namespace: name.database, name: name.table },
      key: [],
      position,
      tx: {
        id: `${reader.filename}:${event.nextPosition}`,
        commitTimeMicros: BigInt(event.timestamp) * 1000n,
        index,
        last: index === effect.truncated.length - 1,
      },
    }));
    this.context.emit({ kind: 'changes', changes, position });
  }

  private position(reader: BinlogReader, offset: number, includeGtid?: string): string {
    return encodePosition({ file: reader.filename, offset, ...gtidPart(reader.gtidSet, includeGtid) });
  }
}

function gtidPart(state: string | undefined, include: string | undefined): { gtid?: string } {
  if (state === undefined) return {};
  if (include === undefined) return state === '' ? {} : { gtid: state };
  if (state.includes(':') || include.includes(':')) {
    const set = GtidSet.parse(state);
    set.add(include);
    return { gtid: set.toString() };
  }
  const position = MariadbGtidPosition.parse(state);
  const [domain, server, seq] = include.split('-');
  position.add({ domainId: Number(domain), serverId: Number(server), seqNo: seq! });
  return { gtid: position.toString() };
}
