import { z } from 'zod';
import { HybridLogicalClock } from '../clock/hybrid-logical-clock.js';
import { ConfigurationError } from '../errors.js';
import type { AuditSink } from '../interfaces/audit-sink.js';
import type { ChangeSink } from '../interfaces/change-sink.js';
import type { ChangeSource } from '../interfaces/change-source.js';
import type { CheckpointStore } from '../interfaces/checkpoint-store.js';
import type { ConflictResolver } from '../interfaces/conflict-resolver.js';
import type { DeadLetterStore } from '../interfaces/dead-letter-store.js';
import type { Transport } from '../interfaces/transport.js';
import { Mapper } from '../mapping/mapper.js';
import { ManualQueue } from '../resolve/manual-queue.js';
import { ResolverRegistry } from '../resolve/resolver-registry.js';
import { parseConfig } from '../runtime/parse-config.js';

const hasMethods =
  <T>(...methods: string[]) =>
  (value: unknown): value is T =>
    typeof value === 'object' &&
    value !== null &&
    methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function');

const source = z.custom<ChangeSource>(
  hasMethods('stream', 'acknowledge', 'close'),
  'a ChangeSource (stream, acknowledge, close)',
);
const sink = z.custom<ChangeSink>(
  hasMethods('apply', 'lastApplied', 'read', 'close'),
  'a ChangeSink (apply, lastApplied, read, close)',
);
const resolver = z.custom<ConflictResolver>(
  (v) => hasMethods('resolve')(v) && typeof (v as { name?: unknown }).name === 'string',
  'a ConflictResolver (name, resolve)',
);

/**
 * The configuration of a {@link SyncEngine}, validated by zod; a bad field is a `ConfigurationError` naming it.
 *
 * @example
 * ```ts
 * new SyncEngine({
 *   node: 'eu-1', sources: [source], sinks: [sink], transport, resolver: 'last-writer-wins',
 *   checkpoints: new MemoryCheckpointStore(), deadLetters: new MemoryDeadLetterStore(),
 * });
 * ```
 */
export const syncEngineConfigSchema = z.object({
  /** This node's id: the writer of its local changes and its entry in version vectors. */
  node: z.string().min(1).max(200),
  /** Sources over this node's database. The sink with the same id (or the first sink) takes settled write-backs. */
  sources: z.array(source).default([]),
  /** Sinks that apply other nodes' changes to this node's database(s). */
  sinks: z.array(sink).default([]),
  transport: z.custom<Transport>(
    hasMethods('publish', 'subscribe', 'close'),
    'a Transport (publish, subscribe, close)',
  ),
  /** A resolver, or the name of one in `resolvers` (built-ins: last-writer-wins, source-priority, column-merge, manual). */
  resolver: z.union([z.string().min(1), resolver]).default('last-writer-wins'),
  /** Options for a resolver given by name (`{ order }` for source-priority). */
  resolverOptions: z.unknown().optional(),
  resolvers: z.instanceof(ResolverRegistry).optional(),
  /** Where parked conflicts wait; required to publish decisions with `SyncEngine.decide`. */
  manualQueue: z.instanceof(ManualQueue).optional(),
  checkpoints: z.custom<CheckpointStore>(hasMethods('position', 'versions', 'commit', 'close'), 'a CheckpointStore'),
  deadLetters: z.custom<DeadLetterStore>(hasMethods('put', 'list', 'remove'), 'a DeadLetterStore'),
  audit: z.custom<AuditSink>(hasMethods('append'), 'an AuditSink (append)').optional(),
  /** Batches published: at most `maxEvents` changes (whole transactions are never split), flushed after `maxDelayMs`. */
  batching: z
    .object({
      maxEvents: z.number().int().positive().default(500),
      maxDelayMs: z.number().int().min(0).default(0),
      /**
       * Judged batches of one source that may be publishing at once, checkpointed in log order as their publishes
       * resolve. Only with a transport whose `publishesInOrder` is true; otherwise one at a time.
       */
      publishWindow: z.number().int().positive().default(2),
    })
    .prefault({}),
  /** Retry options for publish and sink apply (passed to `retry`). */
  retry: z
    .object({
      maxAttempts: z.number().int().positive().default(5),
      initialDelayMs: z.number().int().min(0).default(50),
      maxDelayMs: z.number().int().min(0).default(2_000),
    })
    .prefault({}),
  /**
   * Backoff before a source is read again after a failed attempt (a lost connection, an unreachable server): the
   * delay doubles from `initialDelayMs` with each failure in a row, up to `maxDelayMs`. Lower `maxDelayMs` to resume
   * sooner after a failover; raise it to spare a server that is down for long.
   */
  recovery: z
    .object({
      initialDelayMs: z.number().int().min(0).default(50),
      maxDelayMs: z.number().int().min(0).default(10_000),
    })
    .prefault({}),
  /** Circuit breaker around each sink: opens after `failureThreshold` consecutive failures for `resetAfterMs`. */
  breaker: z
    .object({
      failureThreshold: z.number().int().positive().default(5),
      resetAfterMs: z.number().int().positive().default(10_000),
    })
    .prefault({}),
  /** Bound on captured batches waiting to be published and remote batches being applied (backpressure). */
  maxInFlight: z.number().int().positive().default(16),
  /**
   * Rows of each source's log view kept in memory, the most recently judged first; the rest are read back from the
   * checkpoint store when the log shows them again. Rows not committed yet are always kept, so the view may exceed
   * this while batches are in flight.
   */
  viewCapacity: z.number().int().positive().default(100_000),
  /**
   * Table and column renames, column lists, key shapes and value transforms, each a {@link Mapper}. `outbound` maps a
   * source's changes (by source id) before they leave the node, so masked or hashed values never travel; `inbound`
   * maps arriving changes (by sink id) into that sink's schema before it writes them. Unnamed ones pass unchanged.
   */
  mapping: z
    .object({
      outbound: z.record(z.string(), z.instanceof(Mapper)).default({}),
      inbound: z.record(z.string(), z.instanceof(Mapper)).default({}),
    })
    .prefault({}),
  /** With no checkpoint yet, copy existing rows first (sources that support snapshots). */
  snapshot: z.boolean().default(false),
  /** How many recent conflicts status() lists. */
  recentConflicts: z.number().int().min(0).default(50),
  /** The node's clock; injected by tests, otherwise a wall-clock HLC. */
  clock: z.instanceof(HybridLogicalClock).optional(),
});

/** What a {@link SyncEngine} is given (defaults applied by the schema). */
export type SyncEngineConfigInput = z.input<typeof syncEngineConfigSchema>;
/** A validated configuration. */
export type SyncEngineConfig = z.output<typeof syncEngineConfigSchema>;

/** Validates the configuration and resolves the resolver by name. */
export function parseSyncEngineConfig(input: SyncEngineConfigInput): {
  config: SyncEngineConfig;
  resolver: ConflictResolver;
} {
  const config = parseConfig(syncEngineConfigSchema, input, 'SyncEngine');
  checkMappingIds('outbound', config.mapping.outbound, config.sources, 'source');
  checkMappingIds('inbound', config.mapping.inbound, config.sinks, 'sink');
  const chosen =
    typeof config.resolver === 'string'
      ? (config.resolvers ?? new ResolverRegistry()).create(config.resolver, config.resolverOptions)
      : config.resolver;
  return { config, resolver: chosen };
}

/** A mapping under an id no component has would silently never apply: refuse it. */
function checkMappingIds(
  direction: string,
  mappers: Readonly<Record<string, Mapper>>,
  components: readonly { readonly id: string }[],
  kind: string,
): void {
  const ids = new Set(components.map((c) => c.id));
  for (const id of Object.keys(mappers)) {
    if (!ids.has(id)) {
      const known = [...ids].join(', ') || 'none';
      throw new ConfigurationError(
        `SyncEngine configuration: mapping.${direction}.${id}: no ${kind} has id "${id}" (${kind}s: ${known})`,
      );
    }
  }
}
