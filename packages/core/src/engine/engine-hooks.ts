/**
 * The cross-cutting services the engine's pipelines use, gathered in one place so the pipelines stay about data:
 * retries (the one retry helper), spans carrying W3C trace context, and the operator metrics.
 */
export interface EngineHooks {
  /** Runs `fn` with bounded retries and backoff; non-retriable errors are thrown at once. */
  retry<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in a span. `trace` is the context to carry to the next hop (undefined when tracing is off);
   * `parent` continues a trace received with a batch.
   */
  span<T>(
    name: string,
    attributes: Readonly<Record<string, string | number>>,
    fn: (trace: Record<string, string> | undefined) => Promise<T>,
    options?: { readonly parent?: Readonly<Record<string, string>>; readonly kind?: 'producer' | 'consumer' },
  ): Promise<T>;
  readonly metrics: EngineMetrics;
}

/** The operator metrics (`sync_events_total`, `sync_errors_total`, `conflicts_total`, `sync_lag_ms`, ...). */
export interface EngineMetrics {
  captured(count: number, outcome: 'published' | 'echo'): void;
  applied(count: number, outcome: 'applied' | 'skipped' | 'dead-letter'): void;
  error(stage: 'capture' | 'apply' | 'publish' | 'audit'): void;
  conflict(resolver: string, outcome: string): void;
  lag(millis: number): void;
  /** Registers the `queue_depth` reader; returns the function that unregisters it. */
  observeQueueDepth(read: () => number): () => void;
  audited(count: number): void;
}
