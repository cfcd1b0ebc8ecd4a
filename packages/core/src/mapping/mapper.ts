import type { Hlc } from '../clock/hlc-timestamp.js';
import { ConfigurationError } from '../errors.js';
import type { CapturedChange, ChangeEvent, RowKey, RowVersion, TableRef } from '../model/change-event.js';
import type { Row, Value } from '../model/value.js';
import { parseConfig } from '../runtime/parse-config.js';
import { applyTransform, buildTransform, type ColumnTransformFn, type TransformHooks } from './column-transforms.js';
import { mapKeyShape, mapRowKeyShape } from './key-mapping.js';
import {
  type MappingConfig,
  type MappingConfigInput,
  mappingConfigSchema,
  type RouteConfig,
} from './mapping-config.js';

interface CompiledRoute {
  readonly source: TableRef;
  readonly target: TableRef;
  readonly targetLabel: string;
  readonly rename: Readonly<Record<string, string>>;
  readonly include: ReadonlySet<string> | undefined;
  readonly exclude: ReadonlySet<string>;
  readonly transforms: ReadonlyMap<string, ColumnTransformFn>;
  readonly key: RouteConfig['key'];
}

/**
 * Maps changes for their target: per route (source table → target table) it renames the table and columns, keeps
 * only allowed columns, transforms values (mask, hash, encrypt, custom) and reshapes the key between SQL primary-key
 * columns and MongoDB's `_id`. It maps the after and before images, the key, the unchanged column list and the
 * per-column stamps of the row version, so a mapped change stays consistent. Changes of tables with no route pass
 * unchanged, or are dropped with `unmatched: 'skip'`.
 *
 * @example
 * ```ts
 * const mapper = new Mapper(config, { hashKey: process.env.MAPPING_HASH_KEY });
 * const mapped = batch.changes.map((c) => mapper.mapChange(c)).filter((c) => c !== undefined);
 * ```
 */
export class Mapper {
  readonly config: MappingConfig;
  readonly #routes = new Map<string, CompiledRoute>();

  /** Validates `config` (a bad field is a `ConfigurationError` naming its path) and checks the hooks it needs. */
  constructor(config: MappingConfigInput, hooks: TransformHooks = {}) {
    this.config = parseConfig(mappingConfigSchema, config, 'mapping');
    this.config.routes.forEach((route, index) => {
      const id = tableId(route.source);
      if (this.#routes.has(id)) {
        const table = `${route.source.namespace}.${route.source.name}`;
        throw new ConfigurationError(`mapping: routes[${index}].source: ${table} already has a route`);
      }
      this.#routes.set(id, compile(route, hooks, `routes[${index}]`));
    });
  }

  /** The target of a source table, or undefined when its changes are dropped. */
  mapTable(table: TableRef): TableRef | undefined {
    const route = this.#routes.get(tableId(table));
    if (route !== undefined) return route.target;
    return this.config.unmatched === 'skip' ? undefined : table;
  }

  /** Maps one change, or returns undefined when it is dropped (`unmatched: 'skip'`). */
  mapChange<C extends CapturedChange | ChangeEvent>(change: C): C | undefined {
    const route = this.#routes.get(tableId(change.table));
    if (route === undefined) return this.config.unmatched === 'skip' ? undefined : change;
    const keyColumns = new Set(change.key.map(([column]) => column));
    const renamedKey: RowKey = change.key.map(
      ([column, value]) =>
        [targetName(route, column), transformValue(route, change.table, column, value, true)] as const,
    );
    const key = mapKeyShape(renamedKey, route.key, route.targetLabel);
    const mapRow = (row: Row): Row =>
      mapRowKeyShape(mapColumns(route, change.table, row, keyColumns), key, renamedKey, route.key);
    const mapped: Record<string, unknown> = { ...change, table: route.target, key };
    if (change.after !== undefined) mapped.after = mapRow(change.after);
    if (change.before !== undefined) mapped.before = mapRow(change.before);
    if (change.unchanged !== undefined) {
      mapped.unchanged = change.unchanged.filter((c) => travels(route, c, keyColumns)).map((c) => targetName(route, c));
    }
    if ('version' in change) mapped.version = mapVersion(route, change.version, keyColumns);
    if ('applied' in change && change.applied !== undefined) {
      mapped.applied = mapVersion(route, change.applied, keyColumns);
    }
    return mapped as C;
  }
}

function compile(route: RouteConfig, hooks: TransformHooks, path: string): CompiledRoute {
  const target = route.target ?? route.source;
  const transforms = new Map<string, ColumnTransformFn>();
  for (const [column, transform] of Object.entries(route.columns.transforms)) {
    transforms.set(column, buildTransform(transform, hooks, `${path}.columns.transforms.${column}`));
  }
  return {
    source: route.source,
    target,
    targetLabel: `${target.namespace}.${target.name}`,
    rename: route.columns.rename,
    include: route.columns.include === undefined ? undefined : new Set(route.columns.include),
    exclude: new Set(route.columns.exclude),
    transforms,
    key: route.key,
  };
}

/** Key columns always travel: dropping one would make rows unidentifiable at the target. */
function travels(route: CompiledRoute, column: string, keyColumns: ReadonlySet<string>): boolean {
  if (keyColumns.has(column)) return true;
  if (route.exclude.has(column)) return false;
  return route.include === undefined || route.include.has(column);
}

function targetName(route: CompiledRoute, column: string): string {
  return Object.hasOwn(route.rename, column) ? route.rename[column]! : column;
}

function transformValue(route: CompiledRoute, table: TableRef, column: string, value: Value, isKey: boolean): Value {
  const fn = route.transforms.get(column);
  return fn === undefined ? value : applyTransform(fn, value, { table, column, isKey });
}

function mapColumns(route: CompiledRoute, table: TableRef, row: Row, keyColumns: ReadonlySet<string>): Row {
  const out: Record<string, Value> = {};
  for (const [column, value] of Object.entries(row)) {
    if (!travels(route, column, keyColumns)) continue;
    out[targetName(route, column)] = transformValue(route, table, column, value, keyColumns.has(column));
  }
  return out;
}

function mapVersion(route: CompiledRoute, version: RowVersion, keyColumns: ReadonlySet<string>): RowVersion {
  if (version.columns === undefined) return version;
  const columns: Record<string, Hlc> = {};
  for (const [column, hlc] of Object.entries(version.columns)) {
    if (travels(route, column, keyColumns)) columns[targetName(route, column)] = hlc;
  }
  return { ...version, columns };
}

function tableId(table: TableRef): string {
  return `${table.namespace}\u0000${table.name}`;
}
