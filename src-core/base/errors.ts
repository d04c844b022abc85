/**
 * TF-1's error classes. Messages name the op type, the node and the shapes involved, so that a user
 * can find the line that built the offending node.
 */
export class OpError extends Error {
  readonly code: string = 'UNKNOWN';
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidArgumentError extends OpError {
  override readonly code = 'INVALID_ARGUMENT';
}

export class FailedPreconditionError extends OpError {
  override readonly code = 'FAILED_PRECONDITION';
}

export class NotFoundError extends OpError {
  override readonly code = 'NOT_FOUND';
}

export class UnimplementedError extends OpError {
  override readonly code = 'UNIMPLEMENTED';
}

export class ResourceExhaustedError extends OpError {
  override readonly code = 'RESOURCE_EXHAUSTED';
}

export class InternalError extends OpError {
  override readonly code = 'INTERNAL';
}

/** Errors from reading datasets and checkpoints: they name the file and the sizes. */
export class DataLossError extends OpError {
  override readonly code = 'DATA_LOSS';
}

export class UnavailableError extends OpError {
  override readonly code = 'UNAVAILABLE';
}
