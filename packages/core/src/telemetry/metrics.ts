import { type Attributes, type Meter, metrics, type ObservableResult } from '@opentelemetry/api';

/** The instrumentation scope of every worker-sync metric and span. */
export const INSTRUMENTATION_SCOPE = '@worker-sync/core';

/** Where an event was counted by `sync_events_total`. */
export type EventDirection = 'captured' | 'published' | 'applied' | 'skipped';

/** Bucket bounds of `sync_lag_ms`: from a millisecond in-process to minutes behind after an outage. */
export const LAG_BUCKETS_MS: readonly number[] = [
  1, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000,
];

/**
 * The operator metrics of worker-sync, under the names operators alert on. Each method records one instrument with
 * typed attributes, so a misspelt attribute is a compile error rather than a broken dashboard. Without an OTel SDK
 * installed every method is a no-op.
 */
export interface SyncMetrics {
  /** `sync_events_total` (counter): changes seen, by node and direction. */
  events(count: number, attributes: { node: string; direction: EventDirection; source?: string }): void;
  /** `sync_lag_ms` (histogram, ms): from a change's commit at its origin to the moment it was applied or published. */
  lag(millis: number, attributes: { node: string; source?: string }): void;
  /** `sync_errors_total` (counter): failed attempts, by pipeline stage and error code. */
  error(attributes: { node: string; stage: string; code?: string }): void;
  /** `conflicts_total` (counter): concurrent versions settled, by resolution (`a`, `b`, `merged`, `parked`, …). */
  conflict(attributes: { node: string; resolution: string; resolver?: string }): void;
  /** `audit_appends_total` (counter): records appended to the audit log. */
  auditAppends(count: number, attributes: { node: string }): void;
  /**
   * `queue_depth` (observable gauge): registers a callback read at each collection (batches waiting to be published
   * or applied). Returns the function that unregisters it, e.g. when the engine stops.
   */
  observeQueueDepth(node: string, read: () => number): () => void;
}

/**
 * Creates the worker-sync instruments on `meter` (default: the global meter provider's `@worker-sync/core` meter,
 * a no-op until the host installs an SDK).
 *
 * @example
 * ```ts
 * const syncMetrics = createSyncMetrics();
 * syncMetrics.events(batch.events.length, { node: 'eu-1', direction: 'published' });
 * const stop = syncMetrics.observeQueueDepth('eu-1', () => queue.length);
 * ```
 */
export function createSyncMetrics(meter: Meter = metrics.getMeter(INSTRUMENTATION_SCOPE)): SyncMetrics {
  const lag = meter.createHistogram('sync_lag_ms', {
    description: 'Time from a change commit at its origin to its apply or publish',
    unit: 'ms',
    advice: { explicitBucketBoundaries: [...LAG_BUCKETS_MS] },
  });
  const events = meter.createCounter('sync_events_total', {
    description: 'Changes captured, published, applied or skipped',
  });
  const errors = meter.createCounter('sync_errors_total', { description: 'Failed attempts by pipeline stage' });
  const conflicts = meter.createCounter('conflicts_total', {
    description: 'Concurrent versions settled, by resolution',
  });
  const audits = meter.createCounter('audit_appends_total', { description: 'Records appended to the audit log' });
  const queueDepth = meter.createObservableGauge('queue_depth', {
    description: 'Batches waiting to be published or applied',
  });

  return {
    events: (count, attributes) => events.add(count, clean(attributes)),
    lag: (millis, attributes) => lag.record(Math.max(0, millis), clean(attributes)),
    error: (attributes) => errors.add(1, clean(attributes)),
    conflict: (attributes) => conflicts.add(1, clean(attributes)),
    auditAppends: (count, attributes) => audits.add(count, clean(attributes)),
    observeQueueDepth(node, read) {
      const callback = (result: ObservableResult): void => result.observe(read(), { node });
      queueDepth.addCallback(callback);
      return () => queueDepth.removeCallback(callback);
    },
  };
}

/** Drops undefined attributes: OTel would keep them as distinct (empty) series. */
function clean(attributes: Readonly<Record<string, string | undefined>>): Attributes {
  const out: Attributes = {};
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) out[name] = value;
  return out;
}
