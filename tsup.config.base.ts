import type { Options } from 'tsup';

/** The build every package shares: ESM + CJS + declarations, one entry per public subpath. */
export function packageBuild(entry: Record<string, string>): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    splitting: false,
    treeshake: true,
  };
}
