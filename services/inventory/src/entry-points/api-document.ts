/** The inventory service's public operations, for the OpenAPI document (scripts/openapi.ts). */
import { z } from 'zod';
import { isoTime, nullableUuid, type ApiOperations } from '@platform/shared/http/api-operations';
import { createProductBody, idParam, releaseBody, reserveBody } from './http-routes.ts';

const productSchema = z
  .object({
    id: z.string().uuid(),
    merchantId: nullableUuid,
    sku: z.string(),
    name: z.string(),
    priceMinor: z.number().int().meta({ description: 'Unit price in integer minor units' }),
    currency: z.string(),
    available: z.number().int(),
    reserved: z.number().int(),
    sold: z.number().int(),
    holdSeconds: z.number().int().nullable().meta({ description: "How long a reservation holds stock; null is the platform's default." }),
  })
  .meta({ id: 'Product' });

const reservationSchema = z
  .object({
    id: z.string().uuid(),
    orderId: z.string().uuid(),
    productId: z.string().uuid(),
    quantity: z.number().int(),
    status: z.enum(['HELD', 'COMMITTED', 'RELEASED']),
    releaseReason: z.string().nullable(),
    expiresAt: isoTime,
  })
  .meta({ id: 'Reservation' });

export const inventoryOperations: ApiOperations = {
  'GET /products/:id': { summary: 'A product and its stock (available, reserved, sold)', params: idParam, answers: { 200: { description: 'The product', body: productSchema } } },
  'POST /products': { summary: 'Create a product (a merchant its own; an admin names the merchant)', body: createProductBody, answers: { 201: { description: 'Created', body: productSchema } } },
  'POST /inventory/reserve': {
    summary: 'Hold stock for an order id directly (operators; idempotent by order id)',
    body: reserveBody,
    answers: { 201: { description: 'Held (or the existing hold for that order)', body: reservationSchema } },
  },
  'POST /inventory/release': { summary: "Release an order's held stock (idempotent)", body: releaseBody, answers: { 200: { description: 'Released', body: reservationSchema } } },
};
