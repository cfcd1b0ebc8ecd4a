// Prints "N passed, N failed" from a vitest JSON report (the last line .ci/run prints).
// Test files that could not run at all count as failed, so a broken file never hides behind a green count.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.vitest-results.json';
const report = JSON.parse(readFileSync(file, 'utf8'));
const passed = report.numPassedTests ?? 0;
const brokenFiles = (report.testResults ?? []).filter(
  (result) => result.status === 'failed' && (result.assertionResults ?? []).length === 0,
).length;
const failed = (report.numFailedTests ?? 0) + brokenFiles;
console.log(`${passed} passed, ${failed} failed`);
