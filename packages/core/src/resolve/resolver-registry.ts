import { z } from 'zod';
import { ConfigurationError } from '../errors.js';
import type { ConflictResolver } from '../interfaces/conflict-resolver.js';
import { columnMerge } from './column-merge.js';
import { lastWriterWins } from './last-writer-wins.js';
import { ManualQueue, manualResolver } from './manual-queue.js';
import { sourcePriority } from './source-priority.js';

/** Builds a resolver from its configuration options (whatever the strategy documents). */
export type ResolverFactory = (options: unknown) => ConflictResolver;

const sourcePriorityOptions = z.object({ order: z.array(z.string().min(1)).min(1) });

/**
 * Resolver strategies by name, so configuration can say `resolver: 'column-merge'` and plugins can add their
 * own. The built-ins are registered from the start: `last-writer-wins`, `source-priority` (options
 * `{ order: NodeId[] }`), `column-merge` and `manual` (options `{ queue: ManualQueue }`).
 *
 * @example
 * ```ts
 * const registry = new ResolverRegistry().register('prefer-hq', () => sourcePriority(['hq']));
 * const resolver = registry.create(config.resolver, config.resolverOptions);
 * ```
 */
export class ResolverRegistry {
  readonly #factories = new Map<string, ResolverFactory>();

  constructor() {
    this.register('last-writer-wins', () => lastWriterWins);
    this.register('source-priority', (options) =>
      sourcePriority(parse('source-priority', sourcePriorityOptions, options).order),
    );
    this.register('column-merge', () => columnMerge());
    this.register('manual', (options) => {
      const queue = (options as { queue?: unknown } | undefined)?.queue;
      if (!(queue instanceof ManualQueue))
        throw new ConfigurationError('resolver "manual" needs options.queue, a ManualQueue');
      return manualResolver(queue);
    });
  }

  /** Adds a strategy; a name can be registered once. */
  register(name: string, factory: ResolverFactory): this {
    if (name.length === 0) throw new ConfigurationError('a resolver name must not be empty');
    if (this.#factories.has(name)) throw new ConfigurationError(`a resolver named "${name}" is already registered`);
    this.#factories.set(name, factory);
    return this;
  }

  /** True when a strategy of that name is registered. */
  has(name: string): boolean {
    return this.#factories.has(name);
  }

  /** The registered names, sorted. */
  names(): string[] {
    return [...this.#factories.keys()].sort();
  }

  /** Creates the named resolver; an unknown name is a `ConfigurationError` listing the known ones. */
  create(name: string, options?: unknown): ConflictResolver {
    const factory = this.#factories.get(name);
    if (factory === undefined) {
      throw new ConfigurationError(`unknown resolver "${name}"; known resolvers: ${this.names().join(', ')}`);
    }
    return factory(options);
  }
}

function parse<T>(name: string, schema: z.ZodType<T>, options: unknown): T {
  const result = schema.safeParse(options);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `options.${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new ConfigurationError(`resolver "${name}": ${issues.join('; ')}`);
}
