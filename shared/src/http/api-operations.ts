/**
 * How a service describes its public operations for the OpenAPI document: the same zod schemas
 * its routes validate with, plus the shapes it answers. `scripts/openapi.ts` gathers every
 * service's list, checks it against the gateway's route policy and writes docs/openapi.json.
 * Paths are written as the routers write them (`/orders/:id`).
 */
import { z } from 'zod';

export interface ApiAnswer {
  description: string;
  /** The JSON body; none for an empty answer. */
  body?: z.ZodType;
}

export interface ApiOperation {
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: z.ZodType;
  /** The body may also come form-encoded (OAuth's token endpoint). */
  formBody?: boolean;
  /** Success answers by status; the gateway's problem answers are added for every route. */
  answers: Record<number, ApiAnswer>;
}

export type ApiOperations = Record<`${'GET' | 'POST' | 'PUT'} /${string}`, ApiOperation>;

/** RFC 9457, as shared/src/http/problem.ts writes it (validation problems add `errors`). */
export const problemSchema = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'An error, as application/problem+json (RFC 9457).' });

export const isoTime = z.string().datetime({ offset: true });
export const nullableUuid = z.string().uuid().nullable();
