import { z } from 'zod';
import { isAmqpUrl } from './amqp/amqp-url.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the environment against a schema; throws a ConfigError listing every bad variable. */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
}

/** For entry points: a process with bad configuration must not start half-working. */
export function loadConfigOrExit<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

/** Reusable pieces of configuration schemas. */
export const configParts = {
  amqpUrl: z.string().refine(isAmqpUrl, 'must be an amqp:// URL, or one naming several nodes (amqp://user:pass@host1:5672,host2:5672/vhost)').default('amqp://guest:guest@127.0.0.1:5672'),
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  port: z.coerce.number().int().min(0).max(65535),
  positiveInt: z.coerce.number().int().positive(),
  secret: z.string().min(32, 'must be a random secret of at least 32 characters'),
  msList: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'must be a comma-separated list of milliseconds')
    .transform((value) => value.split(',').map(Number)),
};
