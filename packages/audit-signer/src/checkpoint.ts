/** The body of a C2SP tlog-checkpoint: origin, tree size and root hash (plus optional extension lines). */
export interface CheckpointBody {
  /** Unique name of the log, conventionally a schema-less URL. */
  readonly origin: string;
  readonly size: bigint;
  readonly root: Uint8Array;
  /** Extension lines (no empty line), carried and signed verbatim. */
  readonly extensions?: readonly string[];
}

/** Formats the checkpoint text: `origin\nsize\nbase64(root)\n` followed by any extension lines. */
export function formatCheckpoint(body: CheckpointBody): string {
  if (body.origin.length === 0 || body.origin.includes('\n'))
    throw new TypeError('checkpoint origin must be one non-empty line');
  if (body.root.length !== 32) throw new TypeError('checkpoint root must be a 32-byte SHA-256 hash');
  const ext = (body.extensions ?? []).map((line) => {
    if (line.length === 0 || line.includes('\n'))
      throw new TypeError('checkpoint extension lines must be non-empty single lines');
    return `${line}\n`;
  });
  return `${body.origin}\n${body.size.toString(10)}\n${Buffer.from(body.root).toString('base64')}\n${ext.join('')}`;
}
