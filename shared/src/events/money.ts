import { z } from 'zod';

/** Integer minor units (cents) and an ISO 4217 code; never floats. JSON-safe integers only. */
export const minorUnits = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
export const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR');
