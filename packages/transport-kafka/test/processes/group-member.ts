/**
 * One member of a receiving node's consumer group, run as its own process by the failover test:
 * `group-member.ts <brokers> <prefix> <record dir> <handler delay ms>`. It applies every change once through the
 * shared {@link AppliedRecord} and reports on stdout, one JSON line per event, so the parent can kill it mid-batch.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaTransport } from '../../src/index.js';
import { AppliedRecord } from '../applied-record.js';
import { rowsOf } from '../change-fixtures.js';
import { transportOptions } from '../kafka-test-env.js';

const [brokers = '', prefix = '', dir = '', delay = '0'] = process.argv.slice(2);
const record = new AppliedRecord(dir);
const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);

const transport = new KafkaTransport(transportOptions(brokers.split(','), prefix, ['a', 'b']));
await transport.subscribe({
  node: 'b',
  handle: async (batch) => {
    say({ event: 'applying', batch: batch.id });
    for (const { row, seq } of rowsOf(batch)) {
      record.apply(batch.id, row, seq);
      // The pause between rows of one batch is where the parent's SIGKILL lands: a batch applied half-way.
      await sleep(Number(delay));
    }
    say({ event: 'applied', batch: batch.id });
  },
});
say({ event: 'subscribed' });
process.on('SIGTERM', () => {
  transport.close().finally(() => process.exit(0));
});
