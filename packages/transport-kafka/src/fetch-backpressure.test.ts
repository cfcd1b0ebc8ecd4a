import { describe, expect, it } from 'vitest';
import { FetchBackpressure, type TopicPartition } from './fetch-backpressure.js';

describe('FetchBackpressure', () => {
  it('pauses a partition above the bound and resumes it at half the bound', () => {
    const events: string[] = [];
    const control = {
      pause: (tp: TopicPartition) => events.push(`pause ${tp.topic}/${tp.partition}`),
      resume: (tp: TopicPartition) => events.push(`resume ${tp.topic}/${tp.partition}`),
    };
    const bp = new FetchBackpressure(10, control);
    bp.fetched({ topic: 't', partition: 0 }, 6);
    expect(events).toEqual([]);
    bp.fetched({ topic: 't', partition: 1 }, 6);
    expect(events).toEqual(['pause t/1']);
    bp.acknowledged(6);
    expect(events).toEqual(['pause t/1']);
    bp.acknowledged(1);
    expect(events).toEqual(['pause t/1', 'resume t/1']);
    expect(bp.pending).toBe(5);
    expect(bp.pausedPartitions).toEqual([]);
  });

  it('never counts below zero', () => {
    const bp = new FetchBackpressure(1, { pause: () => {}, resume: () => {} });
    bp.acknowledged(3);
    expect(bp.pending).toBe(0);
  });
});
