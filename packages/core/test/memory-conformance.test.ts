import { createMemoryHarness, runConformanceSuite } from '../src/testing/index.js';

runConformanceSuite('MemorySource/MemorySink', createMemoryHarness);
