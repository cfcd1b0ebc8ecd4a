import { ConfigurationError } from '@worker-sync/core';
import { describe, expect, it } from 'vitest';
import { KafkaTopicLayout } from './kafka-topics.js';

const defaults = {
  prefix: 'worker-sync',
  nodes: ['eu-1', 'us-1', 'ap-1'],
  tables: ['public.orders', 'shop.items'],
  partitions: 6,
  replicationFactor: 1,
  retentionMs: 1,
  deadLetterRetentionMs: 1,
  create: true,
};
const table = { namespace: 'public', name: 'orders' };

describe('KafkaTopicLayout', () => {
  it('per-node: publishes to the origin topic and consumes every other node', () => {
    const layout = new KafkaTopicLayout({ ...defaults, layout: 'per-node' });
    expect(layout.changeTopic({ origin: 'eu-1', table })).toBe('worker-sync.eu-1.changes');
    expect(layout.subscribedTopics('eu-1')).toEqual(['worker-sync.us-1.changes', 'worker-sync.ap-1.changes']);
    expect(layout.deadLetterTopic('eu-1')).toBe('worker-sync.eu-1.dead-letters');
    expect(layout.groupId('eu-1')).toBe('worker-sync.eu-1');
  });

  it('per-table: one topic per table shared by all nodes', () => {
    const layout = new KafkaTopicLayout({ ...defaults, layout: 'per-table' });
    expect(layout.changeTopic({ origin: 'eu-1', table })).toBe('worker-sync.table.public.orders');
    expect(layout.subscribedTopics('eu-1')).toEqual([
      'worker-sync.table.public.orders',
      'worker-sync.table.shop.items',
    ]);
  });

  it('refuses names Kafka cannot hold, naming them', () => {
    const layout = new KafkaTopicLayout({ ...defaults, layout: 'per-node' });
    expect(() => layout.changeTopic({ origin: 'eu 1', table })).toThrow(ConfigurationError);
    expect(() => layout.changeTopic({ origin: 'eu 1', table })).toThrow(/node id "eu 1"/);
  });

  it('needs the other nodes to know what to consume', () => {
    const layout = new KafkaTopicLayout({ ...defaults, layout: 'per-node', nodes: ['eu-1'] });
    expect(() => layout.subscribedTopics('eu-1')).toThrow(/topics\.nodes/);
  });
});
