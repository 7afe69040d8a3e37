/** Every error code homeops raises. A code is API: scripts may match on it. */
export type ErrorCode =
  | "FILE_NOT_FOUND"
  | "FILE_UNREADABLE"
  | "FILE_UNWRITABLE"
  | "FILE_TOO_LARGE"
  | "OUTSIDE_REPO"
  | "SYMLINK_CYCLE"
  | "SYMLINK_REFUSED"
  | "ENCODING"
  | "INPUT_LIMIT"
  | "LOCKED"
  | "INTERRUPTED"
  | "YAML_SYNTAX"
  | "YAML_EMPTY"
  | "CONFIG_INVALID"
  | "TEMPLATE_ERROR"
  | "RENDER_CONFLICT"
  | "TOOL_MISSING"
  | "TOOL_FAILED"
  | "BUILD_ERROR"
  | "NOT_IMPLEMENTED"
  | "CHART_CACHE_CORRUPT"
  | "CHART_DIGEST_MISMATCH"
  | "CHART_PULL_FAILED"
  | "USAGE"
  | "CLUSTER_UNREACHABLE"
  | "CLUSTER_TLS"
  | "CLUSTER_UNAUTHORIZED"
  | "CLUSTER_FORBIDDEN"
  | "CLUSTER_NOT_FOUND"
  | "CLUSTER_TIMEOUT"
  | "CLUSTER_ERROR"
  | "INTERNAL";

export interface SourceLocation {
  file: string;
  /** 1-based */
  line?: number;
  /** 1-based */
  column?: number;
}

export interface HomeopsErrorOptions {
  hint?: string;
  cause?: unknown;
  location?: SourceLocation;
}

/** Base of every error homeops throws. Never throw strings. */
export abstract class HomeopsError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly location: SourceLocation | undefined;
  /** true when the user can fix it: printed without a stack trace. */
  abstract readonly isUserError: boolean;

  constructor(code: ErrorCode, message: string, options: HomeopsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.location = options.location;
  }
}

/** Something the user can fix (bad input, missing file, missing tool). */
export class UserError extends HomeopsError {
  override readonly name = "UserError";
  readonly isUserError = true;
}

/** A bug in homeops. Printed with its stack. */
export class InternalError extends HomeopsError {
  override readonly name = "InternalError";
  readonly isUserError = false;

  constructor(message: string, options: HomeopsErrorOptions = {}) {
    super("INTERNAL", message, options);
  }
}

export function isHomeopsError(value: unknown): value is HomeopsError {
  return value instanceof HomeopsError;
}

export function isUserError(value: unknown): value is UserError {
  return value instanceof HomeopsError && value.isUserError;
}

/** `file:line:col` (only the parts that are known). */
export function formatLocation(location: SourceLocation): string {
  let out = location.file;
  if (location.line !== undefined) {
    out += `:${location.line}`;
    if (location.column !== undefined) out += `:${location.column}`;
  }
  return out;
}
