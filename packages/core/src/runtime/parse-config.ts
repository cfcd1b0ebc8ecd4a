import type { z } from 'zod';
import { ConfigurationError } from '../errors.js';

/**
 * Validates `input` against a component's zod schema and returns the parsed value (defaults applied). On failure it
 * throws a {@link ConfigurationError} whose message names the component and every bad field by its path, e.g.
 * `Mapper config: routes[2].columns.rename: expected object, received string`. Only zod's messages are used, and
 * they describe expected types, not the rejected values, so passwords in a bad connection string do not leak.
 *
 * @example
 * ```ts
 * const config = parseConfig(mappingConfigSchema, input, 'Mapper config');
 * ```
 */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${cleanMessage(issue.message)}`);
  throw new ConfigurationError(`${what}: ${problems.join('; ')}`, { cause: result.error });
}

/** `['routes', 2, 'columns', 'rename']` → `routes[2].columns.rename`; the root is `(root)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text === '' ? '(root)' : text;
}

function cleanMessage(message: string): string {
  // zod 4 prefixes type errors with "Invalid input: "; the path already says where, so keep the useful part.
  return message.replace(/^Invalid input: /, '');
}
