import { AppError } from '../errors/app-errors.js';

/** What went wrong, for a caller that reacts to it (e.g. nothing listens: try elsewhere). */
export type RpFailure = 'unreachable' | 'network' | 'not_an_op' | 'issuer_mismatch' | 'state_mismatch' | 'mix_up' | 'invalid_response' | 'unsupported_client';

/** The relying party stopped: `message` is one sentence for the user (the CLI prints it as is). */
export class RpError extends AppError {
  readonly reason: RpFailure;
  constructor(reason: RpFailure, message: string) {
    super('ERR_RP', message);
    this.reason = reason;
  }
}
