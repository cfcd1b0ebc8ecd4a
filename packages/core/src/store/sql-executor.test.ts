import { describe, expect, it } from 'vitest';
import { toDollarPlaceholders } from './sql-executor.js';

describe('toDollarPlaceholders', () => {
  it('numbers ? placeholders for PostgreSQL', () => {
    expect(toDollarPlaceholders('SELECT a FROM t WHERE b = ? AND c IN (?, ?)')).toBe(
      'SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)',
    );
  });
});
