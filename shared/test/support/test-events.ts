import { z } from 'zod';
import { defineEvent } from '../../src/events/define-event.ts';
import { uniqueName } from './env.ts';

/** A counter event with a type unique to the calling test, so tests never see each other's events. */
export function uniqueCounterEvent() {
  const type = `testbed.${uniqueName('t').replace('_', '-')}.counted.v1`;
  return defineEvent(type, z.object({ sequence: z.number().int().nonnegative() }));
}
