/**
 * The gateway simulator's own books, read straight from its database (as an auditor would):
 * how many charges and refunds it really made for an order. And its test-mode knobs.
 */
import { query } from './forge.ts';

export interface BookedCharge {
  id: string;
  status: string;
  amount: number;
  refunded: number;
}

/** Every charge the gateway holds for an order (its idempotency key is the order's). */
export const chargesFor = (orderId: string) => query<BookedCharge>('psp', `SELECT id, status, amount_minor::int AS amount, amount_refunded::int AS refunded FROM charge WHERE idempotency_key = $1`, [`charge:${orderId}`]);

export const refundsFor = (chargeId: string) => query<{ id: string; amount: number }>('psp', 'SELECT id, amount_minor::int AS amount FROM refund WHERE charge_id = $1 ORDER BY created_at', [chargeId]);

/** Test mode: how often the gateway fails (0…1) and how slowly it answers. */
export async function setGatewayKnobs(platform: { url(name: 'psp'): string; secrets: { pspApiKey: string } }, knobs: { failureRate?: number; latencyMs?: number }): Promise<void> {
  const response = await fetch(`${platform.url('psp')}/v1/test/knobs`, { method: 'PUT', headers: { authorization: `Bearer ${platform.secrets.pspApiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(knobs) });
  if (!response.ok) throw new Error(`knobs refused: ${response.status}`);
}
