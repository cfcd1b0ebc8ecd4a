import { SpanKind } from '@opentelemetry/api';
import type { NodeId } from '../model/change-event.js';
import { createSyncMetrics } from '../telemetry/metrics.js';
import { currentTraceContext, withSpan } from '../telemetry/tracing.js';
import type { EngineHooks } from './engine-hooks.js';

/**
 * The engine's metrics and spans on OpenTelemetry (no-ops until the host installs an SDK): every count carries the
 * node id, and a published batch carries the publishing span's context so the apply span on another node joins
 * the same trace.
 */
export function createEngineTelemetry(node: NodeId): Pick<EngineHooks, 'span' | 'metrics'> {
  const m = createSyncMetrics();
  return {
    span: (name, attributes, fn, options = {}) =>
      withSpan(name, { 'worker_sync.node': node, ...attributes }, () => fn(currentTraceContext()), {
        ...(options.parent === undefined ? {} : { parent: options.parent }),
        kind:
          options.kind === 'producer'
            ? SpanKind.PRODUCER
            : options.kind === 'consumer'
              ? SpanKind.CONSUMER
              : SpanKind.INTERNAL,
      }),
    metrics: {
      captured: (count, outcome) =>
        m.events(count, { node, direction: outcome === 'published' ? 'published' : 'skipped' }),
      applied: (count, outcome) => {
        if (outcome === 'dead-letter') m.error({ node, stage: 'apply', code: 'DEAD_LETTER' });
        else m.events(count, { node, direction: outcome });
      },
      error: (stage) => m.error({ node, stage }),
      conflict: (resolver, outcome) => m.conflict({ node, resolution: outcome, resolver }),
      lag: (millis) => m.lag(millis, { node }),
      observeQueueDepth: (read) => m.observeQueueDepth(node, read),
      audited: (count) => m.auditAppends(count, { node }),
    },
  };
}
