import { describe, expect, it } from 'vitest';
import { readChangeHeaders, writeChangeHeaders } from './kafka-headers.js';

describe('change headers', () => {
  it('read back what was written, as Kafka returns them (Buffers)', () => {
    const written = writeChangeHeaders({
      codecVersion: '1',
      origin: 'eu-1',
      batchId: 'eu-1/pg/0001/0',
      signature: { algorithm: 'hmac-sha256', keyId: 'k1', signature: new Uint8Array([7, 8, 9]) },
      trace: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    });
    const fromKafka = Object.fromEntries(Object.entries(written).map(([k, v]) => [k, Buffer.from(String(v))]));
    const read = readChangeHeaders(fromKafka);
    expect(read.codecVersion).toBe('1');
    expect(read.origin).toBe('eu-1');
    expect(read.batchId).toBe('eu-1/pg/0001/0');
    expect(read.signature?.keyId).toBe('k1');
    expect([...(read.signature?.signature ?? [])]).toEqual([7, 8, 9]);
    expect(read.trace).toEqual({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
  });

  it('reads a message without signature headers as unsigned', () => {
    expect(readChangeHeaders({ 'ws-origin': Buffer.from('x') }).signature).toBeUndefined();
    expect(readChangeHeaders(undefined).origin).toBeUndefined();
  });
});
