/** The notification service's public operations, for the OpenAPI document (scripts/openapi.ts). */
import { z } from 'zod';
import { isoTime, type ApiOperations } from '@platform/shared/http/api-operations';
import { WEBHOOK_EVENT_TYPES } from '../domain/webhook-ports.ts';
import { endpointBody, idParam, rotateBody } from './webhook-routes.ts';

const noticeSchema = z
  .looseObject({
    id: z.string().uuid(),
    orderId: z.string().uuid(),
    template: z.string(),
    recipient: z.string().nullable(),
    subject: z.string(),
    channel: z.string(),
    status: z.string(),
    attempts: z.number().int(),
    sentAt: isoTime.nullable(),
    createdAt: isoTime,
  })
  .meta({ id: 'Notice' });

const endpointFields = {
  id: z.string().uuid(),
  url: z.string(),
  eventTypes: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
  status: z.enum(['ACTIVE', 'DISABLED']),
  disabledReason: z.string().nullable(),
  alertsByEmail: z.boolean(),
  createdAt: isoTime,
};
const endpointSchema = z.object(endpointFields).meta({ id: 'WebhookEndpoint' });
const secret = z.string().regex(/^whsec_/).meta({ description: 'Shown once: verify signatures with it (Standard Webhooks)' });

const deliverySchema = z
  .object({
    id: z.string(),
    eventType: z.string(),
    status: z.string(),
    attempts: z.array(z.object({ attempt: z.number().int(), statusCode: z.number().int().nullable(), latencyMs: z.number().int().nullable(), error: z.string().nullable(), at: isoTime })),
    createdAt: isoTime,
    deliveredAt: isoTime.nullable(),
  })
  .meta({ id: 'WebhookDelivery' });

const base = '/merchants/me/webhook-endpoints';
export const notificationOperations: ApiOperations = {
  'GET /notifications': { summary: 'The notices sent about an order', query: z.object({ orderId: z.string().uuid() }), answers: { 200: { description: 'The notices', body: z.array(noticeSchema) } } },
  [`POST ${base}`]: { summary: 'Register a webhook endpoint (its signing secret is shown once)', body: endpointBody, answers: { 201: { description: 'Registered', body: z.object({ ...endpointFields, secret }) } } },
  [`GET ${base}`]: { summary: "The merchant's webhook endpoints", answers: { 200: { description: 'The endpoints', body: z.object({ endpoints: z.array(endpointSchema) }) } } },
  [`POST ${base}/:id/disable`]: { summary: 'Stop delivering to an endpoint', params: idParam, answers: { 200: { description: 'Disabled', body: z.object({ id: z.string().uuid(), status: z.literal('DISABLED') }) } } },
  [`POST ${base}/:id/rotate-secret`]: {
    summary: 'A new signing secret; the old one keeps signing beside it for the overlap',
    params: idParam,
    body: rotateBody,
    answers: { 200: { description: 'The new secret', body: z.object({ id: z.string().uuid(), secret }) } },
  },
  [`GET ${base}/:id/deliveries`]: { summary: "An endpoint's last 100 deliveries and each attempt", params: idParam, answers: { 200: { description: 'The delivery log', body: z.object({ deliveries: z.array(deliverySchema) }) } } },
  [`POST ${base}/:id/deliveries/:deliveryId/resend`]: {
    summary: 'Send a delivery again (same webhook-id)',
    params: z.object({ id: idParam.shape.id, deliveryId: z.string().regex(/^msg_[A-Za-z0-9_-]{1,40}$/) }),
    answers: { 202: { description: 'Queued', body: z.object({ id: z.string(), status: z.literal('PENDING') }) } },
  },
};
