import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigurationError } from '../errors.js';
import { formatPath, parseConfig } from './parse-config.js';

const schema = z.object({
  routes: z.array(z.object({ source: z.string(), columns: z.object({ rename: z.record(z.string(), z.string()) }) })),
  password: z.string().min(3).optional(),
});

describe('parseConfig', () => {
  it('returns the parsed value', () => {
    expect(parseConfig(schema, { routes: [] }, 'Mapper config')).toEqual({ routes: [] });
  });

  it('names the bad field by its path', () => {
    const route = { source: 't', columns: { rename: {} } };
    const input = { routes: [route, route, { source: 't', columns: { rename: 'x' } }] };
    expect(() => parseConfig(schema, input, 'Mapper config')).toThrow(ConfigurationError);
    expect(() => parseConfig(schema, input, 'Mapper config')).toThrow(
      'Mapper config: routes[2].columns.rename: expected record, received string',
    );
  });

  it('does not echo rejected values', () => {
    try {
      parseConfig(schema, { routes: [], password: 'pw' }, 'X');
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain('password');
      expect((error as Error).message).not.toContain("'pw'");
    }
  });

  it('formats paths', () => {
    expect(formatPath([])).toBe('(root)');
    expect(formatPath([0, 'a', 1])).toBe('[0].a[1]');
  });
});
