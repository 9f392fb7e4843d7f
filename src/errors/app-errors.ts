/**
 * Errors a user of the CLI or the programmatic API can cause. Each has a stable `code`;
 * the CLI prints `message` on one line and exits 1, never a stack trace.
 */
export class AppError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super('ERR_NOT_FOUND', message);
  }
}

export class AlreadyExistsError extends AppError {
  constructor(message: string) {
    super('ERR_ALREADY_EXISTS', message);
  }
}

/** Bad configuration or an unusable data file. */
export class ConfigError extends AppError {
  constructor(message: string) {
    super('ERR_CONFIG', message);
  }
}

/** Bad command-line input. */
export class UsageError extends AppError {
  constructor(message: string) {
    super('ERR_USAGE', message);
  }
}

/** The person at the terminal cancelled (Ctrl+C at a question): the CLI exits 130, as for SIGINT. */
export class CancelledError extends AppError {
  constructor() {
    super('ERR_CANCELLED', 'cancelled');
  }
}

/** The shared store (Redis) did not answer in time or refused the connection; worth retrying shortly. */
export class StoreUnavailableError extends AppError {
  constructor(message: string) {
    super('ERR_STORE_UNAVAILABLE', message);
  }
}
