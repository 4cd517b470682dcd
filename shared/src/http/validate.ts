import type { z } from 'zod';
import { AppError } from '../errors.ts';

/** Parses input with a zod schema; failure is a 400 listing every problem by field. */
export function validate<S extends z.ZodType>(schema: S, input: unknown, what = 'request'): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', message: issue.message }));
  throw new AppError('validation', `invalid ${what}: ${errors.map((error) => `${error.field}: ${error.message}`).join('; ')}`, { errors });
}
