import type { z } from 'zod';

/**
 * An event type the platform publishes: its versioned name (also the routing key) and the
 * zod schema of its `data`, used on both the publishing and the consuming side.
 *
 * A version bump (`order.placed.v2`) names the type it replaces and how to read it: while
 * messages of the old version are still in queues (published before the upgrade, waiting in a
 * retry queue or a DLQ), every consumer of the new type keeps accepting the old one, upgraded
 * to the new shape before its handler sees it.
 */
export interface EventDefinition<S extends z.ZodType = z.ZodType> {
  readonly type: string;
  readonly schema: S;
  readonly previous?: PreviousVersion;
}

export interface PreviousVersion {
  readonly definition: EventDefinition;
  /** Turns the old version's (validated) data into the new version's. */
  readonly upgrade: (data: unknown) => unknown;
}

const VERSIONED_TYPE = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+\.v\d+$/;
const versionOf = (type: string) => ({ base: type.replace(/\.v\d+$/, ''), version: Number(/\.v(\d+)$/.exec(type)![1]) });

export function defineEvent<S extends z.ZodType, P extends EventDefinition = never>(type: string, schema: S, previous?: { definition: P; upgrade: (data: z.infer<P['schema']>) => z.input<S> }): EventDefinition<S> {
  if (!VERSIONED_TYPE.test(type)) throw new Error(`event type "${type}" must look like "order.created.v1"`);
  if (previous) {
    const [now, before] = [versionOf(type), versionOf(previous.definition.type)];
    if (now.base !== before.base || before.version >= now.version) throw new Error(`${type} can only replace an earlier version of itself, not ${previous.definition.type}`);
  }
  return { type, schema, ...(previous ? { previous: { definition: previous.definition, upgrade: previous.upgrade as (data: unknown) => unknown } } : {}) };
}

/** The types a consumer of `definition` accepts: its own and every version it replaces. */
export function acceptedTypes(definition: EventDefinition): string[] {
  return [definition.type, ...(definition.previous ? acceptedTypes(definition.previous.definition) : [])];
}

export type EventData<D extends EventDefinition> = z.infer<D['schema']>;
