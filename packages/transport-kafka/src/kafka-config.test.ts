import { ConfigurationError } from '@worker-sync/core';
import { describe, expect, it } from 'vitest';
import { parseKafkaTransportConfig } from './kafka-config.js';

const signing = { algorithm: 'hmac-sha256', keyId: 'k', keys: { k: 'super-secret-shared-key' } } as const;

describe('parseKafkaTransportConfig', () => {
  it('fills the documented defaults', () => {
    const config = parseKafkaTransportConfig({ brokers: ['127.0.0.1:9092'], signing });
    expect(config.topics).toMatchObject({ layout: 'per-node', prefix: 'worker-sync', partitions: 6, create: true });
    expect(config.consumer).toMatchObject({ attempts: 5, maxInFlight: 1000, fromBeginning: true });
    expect(config.logLevel).toBe('warn');
  });

  it('names the bad field and never echoes a secret', () => {
    const bad = () =>
      parseKafkaTransportConfig({ brokers: ['127.0.0.1:9092'], signing: { ...signing, keys: { k: 'short' } } });
    expect(bad).toThrow(ConfigurationError);
    expect(bad).toThrow(/signing\.keys\.k/);
    expect(bad).not.toThrow(/short/);
    expect(() => parseKafkaTransportConfig({ brokers: ['no-port'], signing })).toThrow(/brokers\[0\]/);
    expect(() => parseKafkaTransportConfig({ brokers: ['h:1'], signing, topics: { partitions: 0 } })).toThrow(
      /topics\.partitions/,
    );
  });
});
