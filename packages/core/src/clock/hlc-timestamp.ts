/**
 * A hybrid logical clock timestamp packed in one bigint: the upper bits are wall-clock milliseconds since the
 * Unix epoch, the low 16 bits a logical counter. Packing keeps comparison a single `<` and the encoding 8 bytes.
 */
export type Hlc = bigint;

/** Bits of an {@link Hlc} given to the logical counter. */
export const HLC_LOGICAL_BITS = 16n;

/** Packs wall-clock milliseconds and a logical counter into an {@link Hlc}. */
export function packHlc(wallMillis: bigint, logical: number): Hlc {
  return (wallMillis << HLC_LOGICAL_BITS) | BigInt(logical);
}

/** Splits an {@link Hlc} into wall-clock milliseconds and logical counter. */
export function unpackHlc(hlc: Hlc): { wallMillis: bigint; logical: number } {
  return { wallMillis: hlc >> HLC_LOGICAL_BITS, logical: Number(hlc & ((1n << HLC_LOGICAL_BITS) - 1n)) };
}
