import { z } from 'zod';

/** Integer minor units (cents) and an ISO 4217 code; never floats. JSON-safe integers only. */
export const minorUnits = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
export const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR');

/** The most units one order may ask for. */
export const MAX_ORDER_QUANTITY = 10_000;

/**
 * A unit price such that MAX_ORDER_QUANTITY of it still fits in a JSON-safe integer: an order
 * accepted with 202 can then never fail later on its amount.
 */
export const unitPriceMinor = minorUnits.max(Math.floor(Number.MAX_SAFE_INTEGER / MAX_ORDER_QUANTITY), 'price too large');
