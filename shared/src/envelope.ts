/**
 * The event envelope: a CloudEvents 1.0 event in structured JSON mode, with extension
 * attributes for correlation, causation and W3C trace context.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError } from './errors.ts';
import type { EventData, EventDefinition } from './events/define-event.ts';
import { activeTraceparent, tracingEnabled } from './telemetry/tracing.ts';

export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json';

const envelopeSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.string().uuid(),
  source: z.string().min(1),
  type: z.string().min(1),
  time: z.string().datetime({ offset: true }),
  subject: z.string().min(1),
  datacontenttype: z.literal('application/json'),
  correlationid: z.string().min(1),
  causationid: z.string().min(1).optional(),
  traceparent: z.string().regex(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/),
  data: z.unknown(),
});

export type Envelope<T = unknown> = Omit<z.infer<typeof envelopeSchema>, 'data'> & { data: T };

/** What the envelope being written was caused by; absent for a command from outside. */
export interface Cause {
  id: string;
  correlationid: string;
  traceparent: string;
}

export interface NewEvent<D extends EventDefinition = EventDefinition> {
  definition: D;
  /** The aggregate the event is about; also the ordering key. */
  subject: string;
  data: EventData<D>;
}

function childTraceparent(parent?: string): string {
  const traceId = parent?.split('-')[1] ?? randomBytes(16).toString('hex');
  return `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
}

/** Builds a validated envelope; bad data here is a bug in the publisher, never sent. */
export function createEnvelope<D extends EventDefinition>(source: string, event: NewEvent<D>, cause?: Cause, correlationId?: string): Envelope<EventData<D>> {
  const parsed = event.definition.schema.safeParse(event.data);
  if (!parsed.success) {
    throw new AppError('internal', `refusing to publish invalid ${event.definition.type}: ${parsed.error.message}`);
  }
  const id = randomUUID();
  return {
    specversion: '1.0',
    id,
    source,
    type: event.definition.type,
    time: new Date().toISOString(),
    subject: event.subject,
    datacontenttype: 'application/json',
    correlationid: cause?.correlationid ?? correlationId ?? id,
    ...(cause ? { causationid: cause.id } : {}),
    // With tracing on: the span that wrote it (the request's or the consumer's), or the cause's
    // span for work done after a commit. Off: the cause's trace id, so one order is one trace anyway.
    traceparent: activeTraceparent() ?? (tracingEnabled() && cause?.traceparent ? cause.traceparent : childTraceparent(cause?.traceparent)),
    data: parsed.data as EventData<D>,
  };
}

/** Parses a message body into an envelope; anything malformed is a permanent failure. */
export function parseEnvelope(body: Buffer): Envelope {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AppError('validation', 'message body is not JSON');
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) throw new AppError('validation', `not a valid CloudEvents envelope: ${parsed.error.message}`);
  return parsed.data;
}

/** Validates an envelope's data against its definition on the consuming side. */
export function parseEventData<D extends EventDefinition>(definition: D, envelope: Envelope): EventData<D> {
  const parsed = definition.schema.safeParse(envelope.data);
  if (!parsed.success) throw new AppError('validation', `invalid data for ${definition.type}: ${parsed.error.message}`);
  return parsed.data as EventData<D>;
}
