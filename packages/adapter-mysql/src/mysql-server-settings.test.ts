import { ConfigurationError } from '@worker-sync/core';
import type { Pool } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { checkServerSettings } from './mysql-server-settings.js';

/** A pool answering the settings query with `settings`: the check's logic, without a server. */
const poolWith = (settings: Record<string, unknown>) => ({ query: async () => [[settings]] }) as unknown as Pool;

describe('checkServerSettings', () => {
  it('accepts row logging with full images', async () => {
    await expect(
      checkServerSettings(poolWith({ log_bin: 1, binlog_format: 'ROW', binlog_row_image: 'FULL' }), 'src'),
    ).resolves.toBeUndefined();
  });

  it('names the setting, its value and why capture needs another', async () => {
    const minimal = checkServerSettings(
      poolWith({ log_bin: 1, binlog_format: 'ROW', binlog_row_image: 'MINIMAL' }),
      'src',
    );
    await expect(minimal).rejects.toThrow(ConfigurationError);
    await expect(minimal).rejects.toThrow(
      /MySqlSource src: the server has binlog_row_image=MINIMAL, and capture needs FULL \(every captured row must be whole/,
    );
    const mixed = checkServerSettings(
      poolWith({ log_bin: 1, binlog_format: 'MIXED', binlog_row_image: 'FULL' }),
      'src',
    );
    await expect(mixed).rejects.toThrow('binlog_format=MIXED, and capture needs ROW');
    await expect(checkServerSettings(poolWith({ log_bin: 0 }), 'src')).rejects.toThrow('log_bin=0');
  });
});
