import { CircuitBreaker } from '../runtime/circuit-breaker.js';
import { retry } from '../runtime/retry.js';
import type { SinkGuard } from './apply-pipeline.js';
import type { EngineHooks } from './engine-hooks.js';
import { createEngineTelemetry } from './engine-telemetry.js';
import type { SyncEngineConfig } from './sync-engine-config.js';

/** The engine's hooks: the one retry helper with the configured bounds, and OpenTelemetry metrics and spans. */
export function createEngineHooks(config: SyncEngineConfig): EngineHooks {
  const telemetry = createEngineTelemetry(config.node);
  return {
    retry: (fn) => retry(() => fn(), { ...config.retry }),
    span: telemetry.span,
    metrics: telemetry.metrics,
  };
}

/** A sink's circuit breaker, opened by consecutive failures of that sink (not by rows it rejects). */
export function createSinkGuard(config: SyncEngineConfig, sinkId: string): SinkGuard {
  const breaker = new CircuitBreaker({
    name: `sink ${sinkId}`,
    failureThreshold: config.breaker.failureThreshold,
    resetAfterMs: config.breaker.resetAfterMs,
  });
  return {
    run: (fn) => breaker.execute(fn),
    get state() {
      return breaker.state;
    },
  };
}
