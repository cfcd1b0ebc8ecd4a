/** Why a verification failed; each kind maps to one CLI exit code. */
export type VerificationFailure = 'bad-signature' | 'inclusion' | 'consistency' | 'malformed';

/** A verification failure with its kind and a message that names what failed (never a key or secret). */
export class VerificationError extends Error {
  constructor(
    readonly failure: VerificationFailure,
    message: string,
  ) {
    super(message);
    this.name = 'VerificationError';
  }
}
