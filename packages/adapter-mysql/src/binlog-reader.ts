import ZongJi, { type AnyBinlogEvent, type ColumnSchema, type TableMapEvent } from '@vlasky/zongji';
import type { ConnectionOptions } from 'mysql2';
import { mismatchedColumn } from './binlog-column-check.js';

/** Where a binlog dump starts. */
export type BinlogStart =
  | { readonly gtidSet: string }
  | { readonly filename: string; readonly position: number }
  | { readonly atEnd: true };

/** What the reader needs from its owner. */
export interface BinlogReaderOptions {
  readonly connection: ConnectionOptions;
  readonly serverId: number;
  readonly heartbeatSeconds: number;
  readonly includeSchema: Record<string, string[] | true>;
  /**
   * Column schemas of a table as of the current stream position, or a promise of them for a table the history has
   * not seen; zongji decodes the table's rows with them instead of the table's current INFORMATION_SCHEMA entry.
   */
  readonly columnsFor: (
    database: string,
    table: string,
    event: TableMapEvent,
  ) => ColumnSchema[] | Promise<ColumnSchema[]>;
  readonly onEvent: (event: AnyBinlogEvent, reader: BinlogReader) => void;
  readonly onError: (error: Error) => void;
}

const EVENTS = [
  'tablemap',
  'writerows',
  'updaterows',
  'deleterows',
  'xid',
  'query',
  'rotate',
  'heartbeat',
  'mariadbgtid',
  'gtid',
  'xaprepare',
  'transactionpayload',
  'partialupdaterows',
];

/** The internal zongji hook our subclass replaces; zongji's own implementation reads INFORMATION_SCHEMA now. */
interface ZongJiInternals {
  _fetchTableInfo(event: TableMapEvent, next: () => void): void;
  emit(event: 'error', error: Error): boolean;
  tableMap: Record<number, { parentSchema: string; tableName: string; columnSchemas: ColumnSchema[] }>;
}

/**
 * One binlog dump connection through `@vlasky/zongji`, with table metadata supplied from the source's schema history
 * (so rows are decoded with the schema of their position) and a server heartbeat so an idle stream still reports
 * progress and a dead connection is noticed.
 */
export class BinlogReader {
  private readonly zongji: ZongJi;
  private stopped = false;
  /** True while our backpressure holds the socket. */
  private paused = false;
  /** True while zongji waits for a table's columns (it holds the socket itself then). */
  private fetching = false;

  constructor(private readonly options: BinlogReaderOptions) {
    const columnsFor = options.columnsFor;
    const reader = this;
    class HistoryZongJi extends ZongJi {
      _fetchTableInfo(event: TableMapEvent, done: () => void): void {
        const self = this as unknown as ZongJiInternals;
        // zongji pauses the socket around this fetch and resumes it after `done`; our own backpressure pause must
        // neither be undone by that resume nor undo the fetch pause, or rows would be parsed without their table.
        reader.fetching = true;
        const next = (): void => {
          reader.fetching = false;
          done();
          if (reader.paused) this.connection?.pause();
        };
        const assign = (columns: ColumnSchema[]): void => {
          if (columns.length !== event.columnCount) {
            self.emit(
              'error',
              new Error(
                `schema history of ${event.schemaName}.${event.tableName} has ${columns.length} columns but the binlog row has ${event.columnCount}`,
              ),
            );
            return;
          }
          const mismatch = mismatchedColumn(columns, event.columnTypes);
          if (mismatch !== undefined) {
            self.emit(
              'error',
              new Error(
                `schema history of ${event.schemaName}.${event.tableName} disagrees with the binlog on column ${mismatch}`,
              ),
            );
            return;
          }
          self.tableMap[event.tableId] = {
            columnSchemas: columns,
            parentSchema: event.schemaName,
            tableName: event.tableName,
          };
          next();
        };
        try {
          const columns = columnsFor(event.schemaName, event.tableName, event);
          if (Array.isArray(columns)) assign(columns);
          else columns.then(assign, (error: Error) => self.emit('error', error));
        } catch (error) {
          self.emit('error', error as Error);
        }
      }
    }
    this.zongji = new HistoryZongJi(options.connection);
    this.zongji.on('binlog', (event) => {
      if (!this.stopped) options.onEvent(event, this);
    });
    this.zongji.on('error', (error) => {
      if (!this.stopped) options.onError(error);
    });
  }

  /** Starts the dump; the heartbeat is requested on the dump connection before zongji's own setup queries run. */
  start(from: BinlogStart): void {
    const base = {
      serverId: this.options.serverId,
      includeEvents: EVENTS,
      includeSchema: this.options.includeSchema,
    };
    if ('gtidSet' in from) this.zongji.start({ ...base, gtidSet: from.gtidSet });
    else if ('atEnd' in from) this.zongji.start({ ...base, startAtEnd: true });
    else this.zongji.start({ ...base, filename: from.filename, position: from.position });
    const nanos = BigInt(Math.round(this.options.heartbeatSeconds * 1e9));
    this.zongji.connection?.query(`SET @master_heartbeat_period = ${nanos}`);
  }

  /** The binlog file the stream is in. */
  get filename(): string {
    return String(this.zongji.options.filename ?? '');
  }

  /** The GTID state after the last completed transaction, where the server has GTIDs. */
  get gtidSet(): string | undefined {
    return this.zongji.gtidSet;
  }

  /** True when connected to MariaDB (known once the stream is ready). */
  get isMariaDb(): boolean {
    return this.zongji.isMariaDb;
  }

  /** Forgets cached table metadata of a table, so its next table-map event asks the schema history again. */
  forgetTable(database: string, table: string): void {
    const map = (this.zongji as unknown as ZongJiInternals).tableMap;
    for (const [id, entry] of Object.entries(map)) {
      if (entry.parentSchema === database && entry.tableName === table) delete map[Number(id)];
    }
  }

  /** Stops reading from the socket (backpressure); events already parsed still arrive. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    if (!this.fetching) this.zongji.connection?.pause();
  }

  /** Undoes {@link BinlogReader.pause}, and only that: zongji pauses on its own while it fetches table metadata. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (!this.fetching) this.zongji.connection?.resume();
  }

  /** Stops the dump and closes both connections. */
  stop(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.stopped = true;
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, 2000);
      this.zongji.once('stopped', () => {
        clearTimeout(timer);
        resolve();
      });
      this.zongji.stop();
    });
  }
}
