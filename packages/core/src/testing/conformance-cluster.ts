import { SyncEngine } from '../engine/sync-engine.js';
import type { DeadLetter } from '../interfaces/dead-letter-store.js';
import type { RowKey, TableRef } from '../model/change-event.js';
import type { Row } from '../model/value.js';
import { lastWriterWins } from '../resolve/last-writer-wins.js';
import { MemoryCheckpointStore } from '../store/memory-checkpoint-store.js';
import { MemoryDeadLetterStore } from '../store/memory-dead-letter-store.js';
import { InProcessTransport } from '../transport/in-process-transport.js';
import type { ConformanceHarness, ConformanceNode } from './conformance-harness.js';

/** Two engines over a harness's nodes, on one in-process transport, started at the nodes' current positions. */
export interface ConformancePair {
  readonly transport: InProcessTransport;
  readonly engineA: SyncEngine;
  readonly engineB: SyncEngine;
  readonly deadLettersA: MemoryDeadLetterStore;
  readonly deadLettersB: MemoryDeadLetterStore;
  stop(): Promise<void>;
}

/** Starts an engine per node; each resumes after its node's current position, so only later writes travel. */
export async function startPair(harness: ConformanceHarness): Promise<ConformancePair> {
  const transport = new InProcessTransport({ partitions: 3 });
  const make = async (node: ConformanceNode) => {
    const checkpoints = new MemoryCheckpointStore();
    await checkpoints.commit(node.source.id, await node.currentPosition(), new Map());
    const deadLetters = new MemoryDeadLetterStore();
    const engine = new SyncEngine({
      node: node.nodeId,
      sources: [node.source],
      sinks: [node.sink],
      transport,
      resolver: lastWriterWins,
      checkpoints,
      deadLetters,
      retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 100 },
    });
    await engine.start();
    return { engine, deadLetters };
  };
  const a = await make(harness.nodeA);
  const b = await make(harness.nodeB);
  return {
    transport,
    engineA: a.engine,
    engineB: b.engine,
    deadLettersA: a.deadLetters,
    deadLettersB: b.deadLetters,
    async stop() {
      await a.engine.stop();
      await b.engine.stop();
      await transport.close();
    },
  };
}

/**
 * Polls `check` until it returns true; fails naming `what` after `timeoutMs`. A guard against hanging, not a
 * timing assertion: the condition is about state, however long it takes.
 */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Reads a row on a node by key. */
export function readRow(node: ConformanceNode, table: TableRef, key: RowKey): Promise<Row | undefined> {
  return node.read(table, key);
}

/** Waits for a dead letter to appear. */
export async function firstDeadLetter(store: MemoryDeadLetterStore): Promise<DeadLetter> {
  let letters: DeadLetter[] = [];
  await eventually('a dead letter', async () => {
    letters = await store.list();
    return letters.length > 0;
  });
  return letters[0]!;
}
