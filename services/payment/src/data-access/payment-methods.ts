/**
 * Turns a payment intent into what the gateway needs, at the moment of the call: the vault
 * reveals a card's number for this call only (never stored, logged or returned elsewhere). The
 * old Stripe-style test tokens map to the gateway's test card numbers.
 */
import type { GatewayMethod, PaymentIntent } from '../domain/ports.ts';
import { isVaultToken, type CardVault } from '../domain/register-card.ts';

const TEST_TOKENS: Readonly<Record<string, string>> = {
  tok_visa: '4242424242424242',
  tok_visa_slow: '4000000000000036',
  tok_chargeDeclined: '4000000000000002',
  tok_chargeDeclinedInsufficientFunds: '4000000000009995',
};
const DECLINED_CARD = '4000000000000002';
/** A collect request must expire a little before the stock hold does. */
const COLLECT_MARGIN_SECONDS = 2;
/**
 * A wallet hold outlives the stock hold by a day: the saga posts or voids it long before; its own
 * expiry is a last resort, and must never release funds for goods a late commit has sold.
 */
const WALLET_HOLD_GRACE_MS = 24 * 3600 * 1000;

export const maskVpa = (vpa: string) => {
  const [name = '', bank = ''] = vpa.split('@');
  return `${name.slice(0, 1)}•••@${bank}`;
};

export function paymentMethods(vault: CardVault, collectExpirySeconds: number, now: () => Date) {
  return async (intent: PaymentIntent, holdExpiresAt: Date): Promise<{ method: GatewayMethod; summary: string } | null> => {
    if (intent.method === 'UPI') {
      if (!intent.upiVpa) return null;
      const secondsLeft = Math.floor((holdExpiresAt.getTime() - now().getTime()) / 1000) - COLLECT_MARGIN_SECONDS;
      const expiresInSeconds = Math.min(collectExpirySeconds, secondsLeft);
      if (expiresInSeconds < 1) return null;
      return { method: { type: 'upi_collect', vpa: intent.upiVpa, expiresInSeconds }, summary: `upi ${maskVpa(intent.upiVpa)}` };
    }
    if (intent.method === 'WALLET') {
      if (!intent.customerId) return null;
      return { method: { type: 'wallet', customerId: intent.customerId, merchantId: intent.merchantId, holdUntil: new Date(holdExpiresAt.getTime() + WALLET_HOLD_GRACE_MS) }, summary: 'wallet' };
    }
    if (intent.method !== 'CARD' || !intent.cardToken) return null;
    const card = isVaultToken(intent.cardToken) ? await vault.reveal(intent.cardToken) : { number: TEST_TOKENS[intent.cardToken] ?? DECLINED_CARD, expMonth: 12, expYear: now().getUTCFullYear() + 1, brand: 'visa' };
    if (!card) return null;
    return { method: { type: 'card', number: card.number, expMonth: card.expMonth, expYear: card.expYear }, summary: `${card.brand} •••• ${card.number.slice(-4)}` };
  };
}
