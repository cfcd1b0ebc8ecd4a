import { ConfigurationError } from '@worker-sync/core';
import { z } from 'zod';
import type { MySqlTypeOptions } from './mysql-types.js';

const typeOptions = {
  /** Columns (`table.column` or `database.table.column`) that hold UUIDs as CHAR(36) or BINARY(16). */
  uuidColumns: z.array(z.string().min(3)).default([]),
  /** How BIGINT UNSIGNED maps: `int64` (values above 2^63-1 are a MappingError) or `decimal`. */
  bigintUnsigned: z.enum(['int64', 'decimal']).default('int64'),
  /** How TINYINT(1) maps: `boolean` or `int64`. */
  tinyint1: z.enum(['boolean', 'int64']).default('boolean'),
};

const connection = z
  .string()
  .regex(/^mysql:\/\//, 'must be a mysql:// URL')
  .describe('mysql://user:password@host:port/database');

/** Configuration of a {@link MySqlSource}. */
export const MySqlSourceConfigSchema = z.object({
  /** Stable id of the source within its node; checkpoints and schema history are kept under it. */
  id: z.string().min(1).max(64),
  /** `mysql://user:password@host:port/database`; the user needs REPLICATION SLAVE and REPLICATION CLIENT. */
  url: connection,
  /** Tables to capture, as `table` or `database.table`; default: every table of the URL's database. */
  tables: z.array(z.string().min(1)).optional(),
  /** Replica server id announced to the server; must differ from every server and other reader. */
  serverId: z.number().int().min(2).max(4_294_967_295).optional(),
  /** `auto`: resume by GTID where the server has GTIDs, else by file and offset. */
  positionMode: z.enum(['auto', 'gtid', 'file']).default('auto'),
  /** Seconds between server heartbeats on an idle binlog stream. */
  heartbeatSeconds: z.number().positive().max(3600).default(5),
  /** Rows per primary-key chunk of the initial snapshot. */
  snapshotChunkSize: z.number().int().min(1).max(1_000_000).default(2000),
  /** Binlog events buffered before the stream pauses reading (backpressure). */
  maxBufferedEvents: z.number().int().min(100).default(20_000),
  /** Database holding worker-sync's own tables (shadow versions, schema history); default: the URL's database. */
  metadataDatabase: z.string().min(1).optional(),
  /**
   * When the checkpoint's binlog has been purged: `fail` (default) raises an IntegrityError; `resnapshot` resyncs by
   * taking a fresh consistent snapshot of every captured table and streaming on from it.
   */
  onPurgedBinlog: z.enum(['fail', 'resnapshot']).default('fail'),
  ...typeOptions,
});

/** Configuration of a {@link MySqlSource}, as accepted (before defaults). */
export type MySqlSourceConfigInput = z.input<typeof MySqlSourceConfigSchema>;
/** Configuration of a {@link MySqlSource}, with defaults applied. */
export type MySqlSourceConfig = z.output<typeof MySqlSourceConfigSchema>;

/** Configuration of a {@link MySqlSink}. */
export const MySqlSinkConfigSchema = z.object({
  /** Stable id of the sink within its node. */
  id: z.string().min(1).max(64),
  /** `mysql://user:password@host:port/database`. */
  url: connection,
  /**
   * Database every incoming table is written to. Default: the URL's database; set `useEventNamespace` to write into
   * the database named by each change's namespace instead.
   */
  database: z.string().min(1).optional(),
  useEventNamespace: z.boolean().default(false),
  /** Database holding the shadow version and applied-position tables; default: the target database. */
  metadataDatabase: z.string().min(1).optional(),
  /** Connections in the sink's pool. */
  poolSize: z.number().int().min(1).max(64).default(4),
  /** Rows per multi-row statement. */
  statementRows: z.number().int().min(1).max(10_000).default(500),
  ...typeOptions,
});

/** Configuration of a {@link MySqlSink}, as accepted (before defaults). */
export type MySqlSinkConfigInput = z.input<typeof MySqlSinkConfigSchema>;
/** Configuration of a {@link MySqlSink}, with defaults applied. */
export type MySqlSinkConfig = z.output<typeof MySqlSinkConfigSchema>;

/** Parses a configuration, turning zod issues into a ConfigurationError that names the field (never the URL). */
export function parseConfig<T extends z.ZodType>(schema: T, input: unknown, component: string): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.') || '(root)';
  throw new ConfigurationError(`${component} configuration: ${field}: ${issue.message}`);
}

/** The type-mapping options of a parsed configuration. */
export function typeOptionsOf(config: {
  uuidColumns: readonly string[];
  bigintUnsigned: 'int64' | 'decimal';
  tinyint1: 'boolean' | 'int64';
}): MySqlTypeOptions {
  return {
    uuidColumns: new Set(config.uuidColumns),
    bigintUnsigned: config.bigintUnsigned,
    tinyint1: config.tinyint1,
  };
}

/** The database named in a mysql:// URL path. */
export function databaseOfUrl(url: string, component: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (name === '') throw new ConfigurationError(`${component} configuration: url: must name a database`);
  return name;
}
