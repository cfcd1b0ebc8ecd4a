import { z } from 'zod';

const name = z.string().min(1).max(256);

/** A table reference in a route; `namespace` is the schema, MySQL database or MongoDB database. */
const tableSchema = z.object({ namespace: name, name });

/** A per-column transform, applied to the source column's value (null stays null). */
export const columnTransformSchema = z.discriminatedUnion('kind', [
  /** Replaces the value with a fixed text. */
  z.object({ kind: z.literal('mask'), with: z.string().default('***') }),
  /** HMAC-SHA256 of the value's canonical encoding with the host's key, as lowercase hex text: deterministic. */
  z.object({ kind: z.literal('hash') }),
  /** Calls the host's `encrypt` hook. */
  z.object({ kind: z.literal('encrypt') }),
  /** Calls a transform the host registered under `name`. */
  z.object({ kind: z.literal('custom'), name }),
]);

/**
 * How the key travels: `columns` keeps the primary-key columns; `to-document-id` turns them into MongoDB's `_id`
 * (one column → its value, several → a document of them in key order); `from-document-id` turns `_id` back into
 * the named columns (one column ← the value, several ← the document's fields).
 */
export const keyMappingSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('columns') }),
  z.object({ mode: z.literal('to-document-id') }),
  z.object({ mode: z.literal('from-document-id'), columns: z.array(name).min(1) }),
]);

/** One route: changes of `source` go to `target` with their columns mapped. Column names are source names. */
export const routeSchema = z.object({
  source: tableSchema,
  /** Default: the source table's name. */
  target: tableSchema.optional(),
  columns: z
    .object({
      /** Source column → target column. */
      rename: z.record(name, name).default({}),
      /** Allow list: when present, only these columns (and the key) travel. */
      include: z.array(name).optional(),
      /** Deny list: these columns never travel. Key columns cannot be excluded. */
      exclude: z.array(name).default([]),
      transforms: z.record(name, columnTransformSchema).default({}),
    })
    .prefault({}),
  key: keyMappingSchema.default({ mode: 'columns' }),
});

/**
 * The mapping of one component (a source or sink): routes by source table, and what happens to changes of tables
 * with no route (`pass`: unchanged, the default; `skip`: dropped).
 *
 * @example
 * ```ts
 * const config = {
 *   routes: [{
 *     source: { namespace: 'public', name: 'customers' },
 *     target: { namespace: 'crm', name: 'clients' },
 *     columns: { rename: { email: 'mail' }, exclude: ['notes'], transforms: { email: { kind: 'hash' } } },
 *     key: { mode: 'to-document-id' },
 *   }],
 *   unmatched: 'skip',
 * };
 * ```
 */
export const mappingConfigSchema = z.object({
  routes: z.array(routeSchema).default([]),
  unmatched: z.enum(['pass', 'skip']).default('pass'),
});

/** A mapping configuration as written by the host. */
export type MappingConfigInput = z.input<typeof mappingConfigSchema>;
/** A validated mapping configuration (defaults applied). */
export type MappingConfig = z.output<typeof mappingConfigSchema>;
/** One validated route. */
export type RouteConfig = z.output<typeof routeSchema>;
/** One validated column transform. */
export type ColumnTransformConfig = z.output<typeof columnTransformSchema>;
