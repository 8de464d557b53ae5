/**
 * One error shape for every API answer: `{ error, details: [{ path, message }] }`, where `path`
 * names the offending field (`body.cloud.tier`, `query.limit`). Unknown errors become a 500 without
 * internals; everything a client can fix is a 4xx.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { InvalidFieldError } from '../store/fields.js';
import { InvalidCursorError } from '../store/keyset.js';
import { ConflictError, DuplicateKeyError, NotFoundError } from '../store/port.js';
import type { Logger } from '../logger.js';
import { ScopeViolationError } from '../tenancy/scoped-store.js';

export interface ErrorDetail {
  path: string;
  message: string;
}

export interface ErrorBody {
  error: string;
  details: ErrorDetail[];
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Zod issues as details, prefixed with where the value came from (body, query, params). */
export function zodDetails(error: ZodError, location: string): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: [location, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

export function validationError(error: ZodError, location: string): HttpError {
  const details = zodDetails(error, location);
  return new HttpError(
    400,
    `invalid ${location}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
    details,
  );
}

/** body-parser marks its errors with `type` and `status`. */
const BODY_ERRORS: Record<string, [number, string]> = {
  'entity.parse.failed': [400, 'malformed JSON body'],
  'entity.too.large': [413, 'request body too large'],
  'encoding.unsupported': [415, 'unsupported body encoding'],
  'charset.unsupported': [415, 'unsupported body charset'],
  'request.aborted': [400, 'request aborted'],
};

function toHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (error instanceof ZodError) return validationError(error, 'body');
  if (error instanceof NotFoundError || error instanceof ScopeViolationError)
    return new HttpError(404, 'not found');
  if (error instanceof ConflictError)
    return new HttpError(409, 'the resource was changed by someone else; reload and retry', [
      { path: 'version', message: error.message },
    ]);
  if (error instanceof DuplicateKeyError)
    return new HttpError(409, 'a resource with this key already exists');
  if (error instanceof InvalidCursorError)
    return new HttpError(400, error.message, [{ path: 'query.cursor', message: error.message }]);
  if (error instanceof InvalidFieldError)
    return new HttpError(400, error.message, [{ path: error.field, message: 'not a valid field' }]);
  const type = (error as { type?: unknown })?.type;
  if (typeof type === 'string' && BODY_ERRORS[type]) {
    const [status, message] = BODY_ERRORS[type];
    const detail = (error as Error).message;
    return new HttpError(status, message, [{ path: 'body', message: detail }]);
  }
  return undefined;
}

/** The status the error handler answers for an error. */
export const statusOf = (error: unknown): number => toHttpError(error)?.status ?? 500;

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const http = toHttpError(error);
    if (!http) {
      logger.error({ err: error, method: req.method, url: req.originalUrl }, 'unhandled error');
      if (!res.headersSent)
        res.status(500).json({ error: 'internal error', details: [] } satisfies ErrorBody);
      return;
    }
    if (res.headersSent) return;
    res
      .set(http.headers)
      .status(http.status)
      .json({ error: http.message, details: http.details } satisfies ErrorBody);
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, `no route for ${req.method} ${req.path}`));
};
