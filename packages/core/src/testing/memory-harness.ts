import { MemoryDatabase } from '../memory/memory-database.js';
import { MemorySink } from '../memory/memory-sink.js';
import { MemorySource } from '../memory/memory-source.js';
import type { TableRef } from '../model/change-event.js';
import type { ValueType } from '../model/value.js';
import type { ConformanceHarness, ConformanceNode } from './conformance-harness.js';

const ITEMS: TableRef = { namespace: 'app', name: 'items' };
const TYPES: TableRef = { namespace: 'app', name: 'types' };
const TYPE_COLUMNS: Record<string, ValueType> = {
  c_boolean: 'boolean',
  c_int64: 'int64',
  c_float64: 'float64',
  c_text: 'text',
  c_bytes: 'bytes',
  c_decimal: 'decimal',
  c_date: 'date',
  c_time: 'time',
  c_timestamp: 'timestamp',
  c_uuid: 'uuid',
  c_json: 'json',
  c_array: 'array',
  c_document: 'document',
};

/**
 * The {@link ConformanceHarness} of the in-memory adapter: two {@link MemoryDatabase}s with typed tables, so a value
 * a column cannot hold is rejected like a SQL engine would. The reference for adapter harnesses.
 *
 * @example
 * ```ts
 * runConformanceSuite('memory', async () => createMemoryHarness());
 * ```
 */
export async function createMemoryHarness(): Promise<ConformanceHarness> {
  let nodeA = memoryNode('a');
  let nodeB = memoryNode('b');
  const harness = {
    get nodeA() {
      return nodeA;
    },
    get nodeB() {
      return nodeB;
    },
    items: ITEMS,
    types: { table: TYPES, columns: TYPE_COLUMNS },
    async reset() {
      // Fresh databases are the in-memory way of emptying tables and applied positions.
      nodeA = memoryNode('a');
      nodeB = memoryNode('b');
    },
    async close() {
      await Promise.all([nodeA.source.close(), nodeB.source.close()]);
    },
  };
  return harness;
}

function memoryNode(id: string): ConformanceNode {
  const db = new MemoryDatabase(id);
  db.createTable(ITEMS, { key: ['id'], columns: { id: 'int64', name: 'text', qty: 'int64' } });
  db.createTable(TYPES, { key: ['id'], columns: { id: 'int64', ...TYPE_COLUMNS } });
  return {
    nodeId: id,
    source: new MemorySource({ id: 'db', database: db }),
    sink: new MemorySink({ id: 'db', database: db }),
    currentPosition: async () => db.endPosition,
    write: async (table, row) => db.write(table, row),
    delete: async (table, key) => db.delete(table, key),
    truncate: async (table) => db.truncate(table),
    transaction: async (ops) =>
      db.transaction((tx) => {
        for (const op of ops) {
          if (op.op === 'write') tx.write(op.table, op.row);
          else tx.delete(op.table, op.key);
        }
      }),
    read: async (table, key) => db.read(table, key),
    readAll: async (table) => db.readAll(table),
  };
}
