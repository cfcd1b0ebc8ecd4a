import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { connectOrExplain, requireServiceUrl } from './require-service.js';

/** Proves Redis answers on its loopback port. */
describe('redis', () => {
  const redis = new Redis(requireServiceUrl('redis'), {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });

  afterAll(() => {
    redis.disconnect();
  });

  it('answers PING', async () => {
    await connectOrExplain('redis', () => redis.connect());
    expect(await redis.ping()).toBe('PONG');
  });
});
