/**
 * Child process of the kill -9 test: appends change records (always starting again from id 1, as a redelivering
 * source would) and prints `committed <size>` after every append that resolved, until it is killed.
 * argv: <directory> <seed hex> <mode: append|checkpoint>
 */
import { AuditLog, Ed25519Signer, SegmentFileStorage } from '../src/index.js';
import { capturedRecord } from '../src/test-events.js';

const [directory, seedHex, mode] = process.argv.slice(2) as [string, string, string];
const signer = Ed25519Signer.fromSeed('crash-test', Buffer.from(seedHex, 'hex'));
const storage = await SegmentFileStorage.open({ directory, segmentBytes: 64 * 1024 });
const log = await AuditLog.open({
  origin: 'audit.example/crash',
  storage,
  signers: [signer],
  checkpointEvery: mode === 'checkpoint' ? 1 : 40,
  checkpointIntervalMs: 2,
});
let id = 1;
for (;;) {
  const batch = Array.from({ length: mode === 'checkpoint' ? 3 : 25 }, () => capturedRecord(id++));
  await log.appendRecords(batch);
  if (mode === 'checkpoint') await log.checkpoint();
  process.stdout.write(`committed ${log.size}\n`);
}
