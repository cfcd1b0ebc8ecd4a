import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { KafkaLogEntry } from './kafka-config.js';
import { redactingLogCreator } from './kafka-logger.js';

describe('redactingLogCreator', () => {
  it('drops SASL and TLS secrets at any depth before the host logger sees the entry', () => {
    const seen: KafkaLogEntry[] = [];
    const log = redactingLogCreator((e) => seen.push(e))(logLevel.INFO);
    log({
      namespace: 'Connection',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: {
        timestamp: 'now',
        message: 'Connection error',
        broker: 'b:9092',
        sasl: { mechanism: 'plain', username: 'svc', password: 'hunter2' },
        nested: { ssl: { key: 'PRIVATE', passphrase: 'pp' }, password: 'x' },
      },
    });
    const text = JSON.stringify(seen);
    expect(text).not.toMatch(/hunter2|PRIVATE|"pp"|svc/);
    expect(seen[0]?.level).toBe('error');
    expect(seen[0]?.extra.broker).toBe('b:9092');
    expect(seen[0]?.message).toBe('Connection error');
  });
});
