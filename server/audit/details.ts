/** Audit details are free-form; this makes them safe to keep for months and to store anywhere. */

const SECRET_KEY = /password|secret|token|kubeconfig|key$/i;
export const REDACTED = '[redacted]';

function sanitize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sanitize);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, SECRET_KEY.test(key) ? REDACTED : sanitize(inner)]),
  );
}

/**
 * `details` as plain JSON (what both stores hand back, so an entry hashes the same before and
 * after storage), with the value of every secret-looking key, at any depth, replaced.
 */
export function sanitizeDetails(details: unknown): unknown {
  return sanitize(JSON.parse(JSON.stringify(details ?? {})));
}
