export type {
  ConformanceHarness,
  ConformanceHarnessFactory,
  ConformanceNode,
  ConformanceTypesTable,
  ConformanceWrite,
} from './conformance-harness.js';
export { DEFAULT_SAMPLES } from './conformance-samples.js';
export { runConformanceSuite } from './conformance-suite.js';
export { createMemoryHarness } from './memory-harness.js';
