/** Structured JSON logging (pino); secrets are redacted wherever they might appear. */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'yunshu' },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.password',
        '*.token',
        '*.kubeconfig',
        '*.secret',
      ],
      censor: '[redacted]',
    },
  });
}
