import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { currentTraceContext, extractTraceContext, injectTraceContext, withSpan } from './tracing.js';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
// SimpleSpanProcessor exports asynchronously; flush before reading the exporter.
const finished = async () => {
  await provider.forceFlush();
  return exporter.getFinishedSpans();
};

beforeAll(() => {
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(() => {
  trace.disable();
  context.disable();
  propagation.disable();
});
beforeEach(() => exporter.reset());

describe('tracing', () => {
  it('records a span with its attributes and nests spans started inside it', async () => {
    const result = await withSpan('worker-sync.capture', { 'worker_sync.node': 'n1' }, () =>
      withSpan('worker-sync.publish', { 'worker_sync.events': 3 }, async () => 'done', { kind: SpanKind.PRODUCER }),
    );
    expect(result).toBe('done');
    const [inner, outer] = await finished();
    expect(outer!.name).toBe('worker-sync.capture');
    expect(outer!.attributes).toEqual({ 'worker_sync.node': 'n1' });
    expect(outer!.instrumentationScope.name).toBe('@worker-sync/core');
    expect(inner!.kind).toBe(SpanKind.PRODUCER);
    expect(inner!.parentSpanContext?.spanId).toBe(outer!.spanContext().spanId);
  });

  it('records an error and rethrows it', async () => {
    await expect(
      withSpan('worker-sync.apply', {}, () => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    const [span] = await finished();
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'refused' });
    expect(span!.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('carries a trace across a transport as a W3C traceparent', async () => {
    let headers: Record<string, string> | undefined;
    await withSpan('worker-sync.publish', {}, async () => {
      headers = currentTraceContext();
    });
    expect(headers!.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    await withSpan('worker-sync.apply', {}, async () => {}, { parent: headers!, kind: SpanKind.CONSUMER });
    const [publish, apply] = await finished();
    expect(apply!.spanContext().traceId).toBe(publish!.spanContext().traceId);
    expect(apply!.parentSpanContext?.spanId).toBe(publish!.spanContext().spanId);

    const ctx = extractTraceContext(
      injectTraceContext({}, trace.setSpan(context.active(), trace.wrapSpanContext(publish!.spanContext()))),
    );
    expect(trace.getSpanContext(ctx)?.spanId).toBe(publish!.spanContext().spanId);
  });

  it('has nothing to carry outside a span', () => {
    expect(currentTraceContext()).toBeUndefined();
  });
});
