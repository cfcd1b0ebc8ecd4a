import { describe, expect, it } from 'vitest';
import { isRetriablePgError } from './postgres-connection.js';

/** An error shaped like node's socket errors or pg's DatabaseError: a message and a code. */
function failure(message: string, code?: string): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

describe('isRetriablePgError', () => {
  it('retries lost connections, whether node gives them a code or only a message', () => {
    expect(isRetriablePgError(failure('read ECONNRESET', 'ECONNRESET'))).toBe(true);
    expect(isRetriablePgError(failure('write EPIPE', 'EPIPE'))).toBe(true);
    expect(isRetriablePgError(failure('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe(true);
    expect(isRetriablePgError(failure('Connection terminated unexpectedly'))).toBe(true);
  });

  it('retries the SQLSTATEs a later attempt can pass: serialization, deadlock, shutdowns, connection classes', () => {
    for (const code of ['40001', '40P01', '57P01', '57P02', '57P03', '53300', '08006', '08001']) {
      expect(isRetriablePgError(failure('server said no', code))).toBe(true);
    }
  });

  it('does not retry what the data causes: constraint violations, bad values, missing tables', () => {
    for (const code of ['23505', '23502', '22003', '22P02', '42P01', '42703']) {
      expect(isRetriablePgError(failure('server said no', code))).toBe(false);
    }
    expect(isRetriablePgError(failure('something else entirely'))).toBe(false);
  });
});
