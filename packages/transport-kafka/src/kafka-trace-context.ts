import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';

/**
 * Writes the active span's W3C trace context (`traceparent`, `tracestate`) into message headers. With no
 * OpenTelemetry SDK installed the propagator is a no-op and nothing is written.
 */
export function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** Runs `fn` inside the trace context carried by a consumed message, so the sink's spans join the publisher's trace. */
export function withTraceHeaders<T>(headers: Readonly<Record<string, string>>, fn: () => T): T {
  return context.with(propagation.extract(ROOT_CONTEXT, headers), fn);
}
