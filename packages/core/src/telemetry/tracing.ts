import {
  type Attributes,
  type Context,
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { INSTRUMENTATION_SCOPE } from './metrics.js';

/**
 * The tracer of worker-sync. The global API hands out a proxy that follows the provider the host registers (even
 * later), and is a no-op until then.
 */
export const tracer: Tracer = trace.getTracer(INSTRUMENTATION_SCOPE);

/** A W3C trace context carrier (`traceparent`, `tracestate`): Kafka headers, in-process message headers. */
export type TraceCarrier = Record<string, string>;

/** Options of {@link withSpan}. */
export interface WithSpanOptions {
  /** Trace context received with a batch: the span continues that trace (source → transport → sink). */
  readonly parent?: Readonly<TraceCarrier>;
  /** Default `internal`; `producer` when publishing, `consumer` when handling a delivered batch. */
  readonly kind?: SpanKind;
}

/**
 * Runs `fn` inside a new active span named `name`; a thrown error is recorded on the span (status error, exception
 * event) and rethrown. The span ends when `fn` settles.
 *
 * @example
 * ```ts
 * await withSpan('worker-sync.apply', { 'worker_sync.sink': sink.id }, () => sink.apply(batch, decide), {
 *   parent: batch.trace, kind: SpanKind.CONSUMER,
 * });
 * ```
 */
export function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T> | T,
  options: WithSpanOptions = {},
): Promise<T> {
  const parent = options.parent === undefined ? context.active() : extractTraceContext(options.parent);
  return tracer.startActiveSpan(name, { attributes, kind: options.kind ?? SpanKind.INTERNAL }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Writes the trace context of `ctx` (default: the active one) into `carrier` with the globally registered propagator
 * (W3C `traceparent` / `tracestate` with the SDK's defaults) and returns the carrier.
 */
export function injectTraceContext(carrier: TraceCarrier = {}, ctx: Context = context.active()): TraceCarrier {
  propagation.inject(ctx, carrier);
  return carrier;
}

/**
 * The active trace context as a new carrier, or undefined when there is nothing to carry (no SDK, no active span),
 * so a batch without tracing carries no headers.
 */
export function currentTraceContext(ctx: Context = context.active()): TraceCarrier | undefined {
  const carrier = injectTraceContext({}, ctx);
  return Object.keys(carrier).length === 0 ? undefined : carrier;
}

/** Reads a trace context from `carrier` into a context derived from `ctx` (default: the active one). */
export function extractTraceContext(carrier: Readonly<TraceCarrier>, ctx: Context = context.active()): Context {
  return propagation.extract(ctx, carrier);
}
