import { createHmac } from 'node:crypto';
import { canonicalEncodeValue } from '../codec/canonical-encoding.js';
import { ConfigurationError, MappingError } from '../errors.js';
import type { TableRef } from '../model/change-event.js';
import type { Value } from '../model/value.js';
import type { ColumnTransformConfig } from './mapping-config.js';

/** Where a value being transformed comes from; never carries other values of the row. */
export interface TransformContext {
  /** The source table. */
  readonly table: TableRef;
  /** The source column name. */
  readonly column: string;
  /** True when the value is part of the primary key. */
  readonly isKey: boolean;
}

/** A column transform: gets a non-null value, returns its replacement. Must be deterministic. */
export type ColumnTransformFn = (value: Value, context: TransformContext) => Value;

/** What the host supplies for the transforms that need secrets or code. */
export interface TransformHooks {
  /** The HMAC key of `hash` transforms; required when a route uses one. */
  readonly hashKey?: string | Uint8Array;
  /** The `encrypt` hook, e.g. the audit-signer's column encryption. */
  readonly encrypt?: ColumnTransformFn;
  /** Transforms by name for `{ kind: 'custom', name }`. */
  readonly transforms?: Readonly<Record<string, ColumnTransformFn>>;
}

/**
 * Builds the function for one configured transform; `path` names the config field in errors. A missing hook or an
 * unknown custom name is a {@link ConfigurationError} at construction, not at the first change.
 */
export function buildTransform(config: ColumnTransformConfig, hooks: TransformHooks, path: string): ColumnTransformFn {
  switch (config.kind) {
    case 'mask': {
      const text = config.with;
      return (_value, context) => {
        // Masking a key would give different rows the same key, merging them at the target.
        if (context.isKey) throw keyError(context, 'masked');
        return text;
      };
    }
    case 'hash': {
      const key = hooks.hashKey;
      if (key === undefined || key.length === 0)
        throw new ConfigurationError(`${path}: a hash transform needs hashKey`);
      return (value) => createHmac('sha256', key).update(canonicalEncodeValue(value)).digest('hex');
    }
    case 'encrypt': {
      const encrypt = hooks.encrypt;
      if (encrypt === undefined) throw new ConfigurationError(`${path}: an encrypt transform needs the encrypt hook`);
      return encrypt;
    }
    case 'custom': {
      const fn = hooks.transforms?.[config.name];
      if (fn === undefined) throw new ConfigurationError(`${path}.name: no transform registered as "${config.name}"`);
      return fn;
    }
  }
}

/** Applies a transform keeping null as null, and names table and column when the transform fails. */
export function applyTransform(fn: ColumnTransformFn, value: Value, context: TransformContext): Value {
  if (value === null) return null;
  try {
    return fn(value, context);
  } catch (error) {
    if (error instanceof MappingError) throw error;
    const table = `${context.table.namespace}.${context.table.name}`;
    throw new MappingError(
      `transform of ${table}.${context.column} failed`,
      { table, column: context.column },
      {
        cause: error,
      },
    );
  }
}

function keyError(context: TransformContext, what: string): MappingError {
  const table = `${context.table.namespace}.${context.table.name}`;
  return new MappingError(`key column ${table}.${context.column} cannot be ${what}`, { table, column: context.column });
}
