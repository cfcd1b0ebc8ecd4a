// Prints "N passed, N failed" from a vitest JSON report (the last line .ci/run prints).
// A test file that failed without a failing test (it could not load, or a hook threw) counts as one failure,
// so a broken file never hides behind a green count.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.vitest-results.json';
const report = JSON.parse(readFileSync(file, 'utf8'));
const passed = report.numPassedTests ?? 0;
const brokenFiles = (report.testResults ?? []).filter(
  (result) =>
    result.status === 'failed' && !(result.assertionResults ?? []).some((assertion) => assertion.status === 'failed'),
).length;
const failed = (report.numFailedTests ?? 0) + brokenFiles;
console.log(`${passed} passed, ${failed} failed`);
