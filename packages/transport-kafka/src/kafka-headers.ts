import type { IHeaders } from 'kafkajs';
import type { BatchSignature } from './batch-signing.js';

/** Header names worker-sync writes on every change message. */
export const HEADER = {
  codecVersion: 'ws-codec-version',
  origin: 'ws-origin',
  batchId: 'ws-batch-id',
  algorithm: 'ws-sig-alg',
  keyId: 'ws-sig-key-id',
  signature: 'ws-sig',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;

/** The headers of one change message, as read back by a consumer. */
export interface ChangeHeaders {
  readonly codecVersion: string | undefined;
  readonly origin: string | undefined;
  readonly batchId: string | undefined;
  readonly signature: BatchSignature | undefined;
  /** W3C trace context fields (`traceparent`, `tracestate`) present on the message. */
  readonly trace: Readonly<Record<string, string>>;
}

/** Builds the headers of one change message. */
export function writeChangeHeaders(fields: {
  codecVersion: string;
  origin: string;
  batchId: string;
  signature: BatchSignature;
  trace: Readonly<Record<string, string>>;
}): IHeaders {
  const headers: IHeaders = {
    [HEADER.codecVersion]: fields.codecVersion,
    [HEADER.origin]: fields.origin,
    [HEADER.batchId]: fields.batchId,
    [HEADER.algorithm]: fields.signature.algorithm,
    [HEADER.keyId]: fields.signature.keyId,
    [HEADER.signature]: Buffer.from(fields.signature.signature).toString('base64'),
  };
  for (const name of [HEADER.traceparent, HEADER.tracestate]) {
    const value = fields.trace[name];
    if (value !== undefined) headers[name] = value;
  }
  return headers;
}

/** Reads the headers of one consumed message; absent or repeated headers read as undefined. */
export function readChangeHeaders(headers: IHeaders | undefined): ChangeHeaders {
  const text = (name: string): string | undefined => {
    const value = headers?.[name];
    if (value === undefined || Array.isArray(value)) return undefined;
    return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  };
  const algorithm = text(HEADER.algorithm);
  const keyId = text(HEADER.keyId);
  const signature = text(HEADER.signature);
  const trace: Record<string, string> = {};
  for (const name of [HEADER.traceparent, HEADER.tracestate]) {
    const value = text(name);
    if (value !== undefined) trace[name] = value;
  }
  return {
    codecVersion: text(HEADER.codecVersion),
    origin: text(HEADER.origin),
    batchId: text(HEADER.batchId),
    signature:
      algorithm !== undefined && keyId !== undefined && signature !== undefined
        ? { algorithm, keyId, signature: Buffer.from(signature, 'base64') }
        : undefined,
    trace,
  };
}
