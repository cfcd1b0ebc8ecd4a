import type { DeadLetterStage } from '@worker-sync/core';
import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';

/** Headers added to a message when it is moved to the dead-letter topic. */
export const DEAD_LETTER_HEADER = {
  reason: 'ws-dlt-reason',
  code: 'ws-dlt-code',
  stage: 'ws-dlt-stage',
  topic: 'ws-dlt-topic',
  partition: 'ws-dlt-partition',
  offset: 'ws-dlt-offset',
  at: 'ws-dlt-at',
} as const;

/** Why a message is dead-lettered: the stage, a stable code, and a reason that names position and key, never secrets. */
export interface DeadLetterReason {
  readonly stage: DeadLetterStage;
  readonly code: string;
  readonly reason: string;
}

/** A message read back from a dead-letter topic. */
export interface KafkaDeadLetter extends DeadLetterReason {
  /** Where the message was consumed from. */
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly at: Date;
  /** The original payload and headers, unchanged, so the message can be inspected and replayed. */
  readonly payload: Buffer | null;
  readonly headers: IHeaders;
}

/**
 * Moves messages that cannot be applied to a receiving node's dead-letter topic, with the reason in headers and
 * the original payload and headers untouched. `send` resolves once Kafka acknowledged it, so the offset of the
 * original may then be committed: nothing is dropped silently.
 */
export class KafkaDeadLetterWriter {
  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
  ) {}

  /** Writes one dead letter and waits for Kafka's acknowledgement. */
  async send(from: { topic: string; partition: number; message: KafkaMessage }, why: DeadLetterReason): Promise<void> {
    const headers: IHeaders = {
      ...(from.message.headers ?? {}),
      [DEAD_LETTER_HEADER.reason]: why.reason,
      [DEAD_LETTER_HEADER.code]: why.code,
      [DEAD_LETTER_HEADER.stage]: why.stage,
      [DEAD_LETTER_HEADER.topic]: from.topic,
      [DEAD_LETTER_HEADER.partition]: String(from.partition),
      [DEAD_LETTER_HEADER.offset]: from.message.offset,
      [DEAD_LETTER_HEADER.at]: new Date().toISOString(),
    };
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: [{ key: from.message.key, value: from.message.value, headers }],
    });
  }
}

/** Reads the dead-letter headers of a message consumed from a dead-letter topic. */
export function readDeadLetter(message: KafkaMessage): KafkaDeadLetter {
  const headers = message.headers ?? {};
  const text = (name: string): string => {
    const value = headers[name];
    if (value === undefined || Array.isArray(value)) return '';
    return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  };
  return {
    stage: text(DEAD_LETTER_HEADER.stage) as DeadLetterStage,
    code: text(DEAD_LETTER_HEADER.code),
    reason: text(DEAD_LETTER_HEADER.reason),
    topic: text(DEAD_LETTER_HEADER.topic),
    partition: Number(text(DEAD_LETTER_HEADER.partition)),
    offset: text(DEAD_LETTER_HEADER.offset),
    at: new Date(text(DEAD_LETTER_HEADER.at)),
    payload: message.value,
    headers,
  };
}
