import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { createSyncMetrics } from './metrics.js';

function setup() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // The interval only matters for background export; the test exports with forceFlush.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  const syncMetrics = createSyncMetrics(provider.getMeter('@worker-sync/core'));
  const collect = async () => {
    await reader.forceFlush();
    const scopes = exporter.getMetrics().at(-1)?.scopeMetrics ?? [];
    return new Map(scopes.flatMap((s) => s.metrics).map((m) => [m.descriptor.name, m]));
  };
  return { syncMetrics, collect, provider };
}

describe('createSyncMetrics', () => {
  it('records every instrument under the operator names with typed attributes', async () => {
    const { syncMetrics, collect, provider } = setup();
    syncMetrics.events(3, { node: 'n1', direction: 'published' });
    syncMetrics.events(2, { node: 'n1', direction: 'published' });
    syncMetrics.events(1, { node: 'n1', direction: 'skipped' });
    syncMetrics.lag(42, { node: 'n1', source: 'pg' });
    syncMetrics.error({ node: 'n1', stage: 'apply', code: 'CONNECTION' });
    syncMetrics.conflict({ node: 'n1', resolution: 'merged' });
    syncMetrics.auditAppends(4, { node: 'n1' });
    let depth = 7;
    const stop = syncMetrics.observeQueueDepth('n1', () => depth);
    const found = await collect();
    expect([...found.keys()].sort()).toEqual([
      'audit_appends_total',
      'conflicts_total',
      'queue_depth',
      'sync_errors_total',
      'sync_events_total',
      'sync_lag_ms',
    ]);
    const events = found.get('sync_events_total')!.dataPoints.map((p) => [p.attributes, p.value]);
    expect(events).toEqual([
      [{ node: 'n1', direction: 'published' }, 5],
      [{ node: 'n1', direction: 'skipped' }, 1],
    ]);
    const lag = found.get('sync_lag_ms')!;
    expect(lag.descriptor.unit).toBe('ms');
    expect(lag.dataPoints[0]!.attributes).toEqual({ node: 'n1', source: 'pg' });
    expect((lag.dataPoints[0]!.value as { sum: number }).sum).toBe(42);
    expect(found.get('sync_errors_total')!.dataPoints[0]!.attributes).toEqual({
      node: 'n1',
      stage: 'apply',
      code: 'CONNECTION',
    });
    expect(found.get('conflicts_total')!.dataPoints[0]!.attributes).toEqual({ node: 'n1', resolution: 'merged' });
    expect(found.get('audit_appends_total')!.dataPoints[0]!.value).toBe(4);
    expect(found.get('queue_depth')!.dataPoints.map((p) => [p.attributes, p.value])).toEqual([[{ node: 'n1' }, 7]]);

    depth = 9;
    expect(found.size).toBe(6);
    expect((await collect()).get('queue_depth')!.dataPoints[0]!.value).toBe(9);
    stop();
    depth = 11;
    // Unregistered: the callback is no longer read (the SDK keeps reporting the last cumulative value).
    expect((await collect()).get('queue_depth')?.dataPoints.map((p) => p.value)).not.toContain(11);
    await provider.shutdown();
  });

  it('is a no-op without an SDK', () => {
    const syncMetrics = createSyncMetrics();
    expect(() => syncMetrics.events(1, { node: 'n', direction: 'captured' })).not.toThrow();
    syncMetrics.observeQueueDepth('n', () => 1)();
  });
});
