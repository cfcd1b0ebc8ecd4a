import { ConfigurationError } from '@worker-sync/core';
import { z } from 'zod';

const connection = z
  .string()
  .regex(/^postgres(?:ql)?:\/\//, 'must be a postgres:// URL')
  .describe('postgres://user:password@host:port/database');

const identifier = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case identifier (a-z, 0-9, _)');

/** Configuration of a {@link PostgresSource}. */
export const PostgresSourceConfigSchema = z.object({
  /** Stable id of the source within its node; checkpoints, the lease and snapshot progress are kept under it. */
  id: z.string().min(1).max(48),
  /** `postgres://user:password@host:port/database`; the user needs REPLICATION (or superuser) and CREATE on the database. */
  url: connection,
  /** Tables to capture, as `table` (schema `public`) or `schema.table`. Default: every table of schema `public`. */
  tables: z.array(z.string().min(1)).optional(),
  /** Replication slot name; default `worker_sync_<id>`. */
  slot: identifier.optional(),
  /** Publication name; default `worker_sync_<id>`. */
  publication: identifier.optional(),
  /** Changes per yielded batch; a larger transaction is streamed as several partial batches. */
  maxBatchChanges: z.number().int().min(1).max(1_000_000).default(2000),
  /** Rows per primary-key chunk of the initial snapshot. */
  snapshotChunkSize: z.number().int().min(1).max(1_000_000).default(5000),
  /** Take a lease (advisory lock) so only one engine instance reads the slot; others wait and take over. */
  lease: z.boolean().default(true),
  /** Milliseconds between attempts to take the lease while another instance holds it. */
  leaseRetryMillis: z.number().int().min(10).max(600_000).default(1000),
  /**
   * Milliseconds a non-empty batch waits for more of the log before it is yielded (coalescing many small
   * transactions into one batch); 0 yields at every network read.
   */
  maxBatchDelayMillis: z.number().int().min(0).max(10_000).default(5),
  /**
   * When the slot was invalidated (`wal_status = lost`): `fail` (default) raises an IntegrityError; `resnapshot`
   * drops and recreates the slot and streams a fresh consistent snapshot of every table before the new changes.
   */
  onSlotLost: z.enum(['fail', 'resnapshot']).default('fail'),
  /**
   * Set `REPLICA IDENTITY FULL` on every captured table at start (needs table ownership), so the log carries each
   * updated or deleted row whole. The engine then knows what a sink write overwrote from the log itself, also for
   * rows it has not seen since a restart; with the default identity (the key only) it knows only what it saw since
   * it started, and a race settled right after a restart may lose the local side's data. Costs WAL volume: every
   * update and delete logs the old row. Tables already set to FULL are treated so either way.
   */
  replicaIdentityFull: z.boolean().default(false),
});

/** Configuration of a {@link PostgresSource}, as accepted (before defaults). */
export type PostgresSourceConfigInput = z.input<typeof PostgresSourceConfigSchema>;
/** Configuration of a {@link PostgresSource}, with defaults applied. */
export type PostgresSourceConfig = z.output<typeof PostgresSourceConfigSchema>;

/** Configuration of a {@link PostgresSink}. */
export const PostgresSinkConfigSchema = z.object({
  /** Stable id of the sink within its node. */
  id: z.string().min(1).max(64),
  /** `postgres://user:password@host:port/database`; the user needs DML on the target tables and CREATE on the database. */
  url: connection,
  /** Schema every incoming table is written to. Default: the schema named by each change's namespace. */
  schema: z.string().min(1).optional(),
  /** Connections in the sink's pool. */
  poolSize: z.number().int().min(1).max(64).default(4),
});

/** Configuration of a {@link PostgresSink}, as accepted (before defaults). */
export type PostgresSinkConfigInput = z.input<typeof PostgresSinkConfigSchema>;
/** Configuration of a {@link PostgresSink}, with defaults applied. */
export type PostgresSinkConfig = z.output<typeof PostgresSinkConfigSchema>;

/** Parses a configuration, turning zod issues into a ConfigurationError that names the field (never the URL). */
export function parseConfig<T extends z.ZodType>(schema: T, input: unknown, component: string): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.') || '(root)';
  throw new ConfigurationError(`${component} configuration: ${field}: ${issue.message}`);
}
