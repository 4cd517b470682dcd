import type { z } from 'zod';

/**
 * An event type the platform publishes: its versioned name (also the routing key) and the
 * zod schema of its `data`, used on both the publishing and the consuming side.
 */
export interface EventDefinition<S extends z.ZodType = z.ZodType> {
  readonly type: string;
  readonly schema: S;
}

const VERSIONED_TYPE = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+\.v\d+$/;

export function defineEvent<S extends z.ZodType>(type: string, schema: S): EventDefinition<S> {
  if (!VERSIONED_TYPE.test(type)) throw new Error(`event type "${type}" must look like "order.created.v1"`);
  return { type, schema };
}

export type EventData<D extends EventDefinition> = z.infer<D['schema']>;
