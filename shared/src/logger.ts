import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type Logger } from 'pino';

export type { Logger };

/** Fields that follow a request or message through every log line written while handling it. */
export interface LogContext {
  correlationId?: string;
  messageId?: string;
  eventType?: string;
}

const context = new AsyncLocalStorage<LogContext>();

export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  return context.run({ ...context.getStore(), ...fields }, fn);
}

export function currentLogContext(): LogContext {
  return context.getStore() ?? {};
}

export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    mixin: () => ({ ...context.getStore() }),
    // Secrets must never reach a log line, whatever a caller passes in.
    redact: {
      paths: ['*.password', '*.authorization', '*.cardToken', 'headers.authorization', 'req.headers.authorization'],
      censor: '[redacted]',
    },
  });
}
