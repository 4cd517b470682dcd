/** The payment service's public operations, for the OpenAPI document (scripts/openapi.ts). */
import { z } from 'zod';
import { isoTime, nullableUuid, type ApiOperations } from '@platform/shared/http/api-operations';
import { currencyCode } from '@platform/shared/events/money';
import { cardBody, idParam, refundBody } from './http-routes.ts';
import { day } from './reconciliation-routes.ts';
import { topUpBody } from './top-up-routes.ts';

const paymentStatus = z.enum(['INITIATED', 'PENDING', 'SUCCEEDED', 'FAILED', 'PARTIALLY_REFUNDED', 'REFUNDED']);

const refundSchema = z
  .object({ id: z.string().uuid(), paymentId: z.string().uuid(), amountMinor: z.number().int(), currency: z.string(), reason: z.string(), status: z.string(), requestedBy: z.string(), createdAt: isoTime })
  .meta({ id: 'Refund' });

const paymentSchema = z
  .object({
    id: z.string().uuid(),
    paymentId: z.string().uuid(),
    orderId: z.string().uuid(),
    customerId: nullableUuid,
    merchantId: nullableUuid,
    status: paymentStatus,
    method: z.object({ type: z.string(), summary: z.string().nullable().meta({ description: 'Masked: a brand and last four digits, or the payer address' }) }),
    amountMinor: z.number().int(),
    refundedMinor: z.number().int(),
    currency: z.string(),
    failureReason: z.string().nullable(),
    chargeId: z.string().nullable(),
    createdAt: isoTime,
    updatedAt: isoTime,
    history: z.array(z.object({ status: z.string(), detail: z.string().nullable(), at: isoTime })),
    refunds: z.array(refundSchema),
    gatewayOperations: z.array(z.object({ kind: z.string(), idempotencyKey: z.string(), outcome: z.string().nullable(), reference: z.string().nullable(), at: isoTime })),
  })
  .meta({ id: 'Payment' });

const reportSchema = z
  .looseObject({
    reportId: z.string().uuid(),
    day: z.string(),
    ranAt: isoTime,
    requestedBy: z.string(),
    compared: z.record(z.string(), z.number().int()),
    inFlight: z.number().int(),
    mismatches: z.array(z.looseObject({ kind: z.string(), ids: z.record(z.string(), z.string()), outcome: z.string(), detail: z.string() })),
    actionsTaken: z.number().int(),
    needsAPerson: z.number().int(),
  })
  .meta({ id: 'ReconciliationReport' });

const optionalKey = z.object({ 'idempotency-key': z.string().min(1).max(255).optional().meta({ description: 'A retry with the same key gets the first answer' }) });
const paymentParam = idParam.meta({ description: 'A payment id, or the id of the order it pays' });

export const paymentOperations: ApiOperations = {
  'POST /payments/cards': {
    headers: optionalKey,
    summary: 'Vault a card; the answer is a token that pays for this customer only (the CVC is never kept)',
    body: cardBody,
    answers: { 201: { description: 'Vaulted', body: z.object({ cardToken: z.string(), brand: z.string(), last4: z.string(), expMonth: z.number().int(), expYear: z.number().int() }) } },
  },
  'GET /payments/:id': { summary: 'A payment with its history, refunds and gateway calls', params: paymentParam, answers: { 200: { description: 'The payment', body: paymentSchema } } },
  'POST /payments/:id/refunds': {
    headers: optionalKey,
    summary: 'Refund part or all of a payment (the merchant who sold, or an admin)',
    params: paymentParam,
    body: refundBody,
    answers: { 201: { description: 'The refund and where it stands', body: refundSchema } },
  },
  'POST /wallet/top-ups': {
    headers: optionalKey,
    summary: "Move money from a vaulted card into the customer's wallet",
    body: topUpBody,
    answers: { 201: { description: 'Started', body: z.object({ topUpId: z.string().uuid(), paymentId: z.string().uuid(), status: paymentStatus.nullable(), amountMinor: z.number().int(), currency: currencyCode }) } },
  },
  'GET /admin/reconciliation/reports/latest': {
    summary: 'The newest reconciliation report (of a day, when asked)',
    query: z.object({ date: day.optional() }),
    answers: { 200: { description: 'The report', body: reportSchema } },
  },
  'POST /admin/reconciliation/runs': {
    summary: "Reconcile a day now: payments, the gateway's settlement, the ledger and orders",
    body: z.object({ date: day.optional() }).strict(),
    answers: { 201: { description: 'The report of this run', body: reportSchema } },
  },
};
