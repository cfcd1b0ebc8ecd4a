import { MongoClient } from 'mongodb';
import { expect, it } from 'vitest';
import { requireService, unreachable } from './require-service.js';

it("the mongodb driver's watch() sees an insert", async () => {
  const client = new MongoClient(requireService('MONGO_URL', 'mongo'), { serverSelectionTimeoutMS: 5000 });
  await client.connect().catch((error: unknown) => {
    throw unreachable('mongo', error);
  });
  const collection = client.db('worker_sync_smoke').collection(`items_${process.pid}`);
  const stream = collection.watch([], { fullDocument: 'updateLookup' });
  try {
    const next = stream.next();
    // The stream is opened by its first read; give the server a moment before writing.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await collection.insertOne({ _id: 1 as never, note: 'hello' });
    const change = await next;
    expect(change.operationType).toBe('insert');
    expect(change).toMatchObject({ fullDocument: { note: 'hello' } });
  } finally {
    await stream.close();
    await client.close();
  }
});
