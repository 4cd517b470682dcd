/**
 * A stand-in for a card processor, with Stripe-style test tokens:
 *   tok_visa                              succeeds
 *   tok_visa_slow                         succeeds after `slowMs` (to exercise holds expiring mid-charge)
 *   tok_chargeDeclined                    declined: card_declined
 *   tok_chargeDeclinedInsufficientFunds   declined: insufficient_funds
 *   anything else                         declined: card_declined
 *   card_… (a vault token)                by its number: 4000000000000002 declined,
 *                                         4000000000009995 insufficient funds, others succeed
 * It keeps its own books on its own connection, outside the caller's transaction, as a remote
 * gateway would: a charge survives our rollback, and the idempotency key makes a retry return
 * the first result instead of charging again.
 */
import { randomUUID } from 'node:crypto';
import type { CardGateway, ChargeResult } from '../domain/ports.ts';
import type { PrismaClient } from './generated/client.ts';
import { isVaultToken, type CardVault } from '../domain/register-card.ts';
import { testOutcomeOf } from '../domain/card-number.ts';

type Outcome = 'succeeded' | 'card_declined' | 'insufficient_funds';

function decideForToken(cardToken: string): Outcome {
  if (cardToken === 'tok_visa' || cardToken === 'tok_visa_slow') return 'succeeded';
  if (cardToken === 'tok_chargeDeclinedInsufficientFunds') return 'insufficient_funds';
  return 'card_declined';
}

export function simulatedCardGateway(client: PrismaClient, slowMs: number, vault: CardVault): CardGateway {
  // The vault hands the number over for the gateway call only; it is never kept or logged here.
  const decide = async (cardToken: string): Promise<Outcome> => {
    if (!isVaultToken(cardToken)) return decideForToken(cardToken);
    const number = await vault.reveal(cardToken);
    return number ? testOutcomeOf(number) : 'card_declined';
  };
  async function record(idempotencyKey: string, kind: string, outcome: string, amountMinor: bigint, currency: string, reference: string) {
    await client.$executeRawUnsafe(
      `INSERT INTO gateway_operation (idempotency_key, kind, outcome, amount_minor, currency, reference)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (idempotency_key) DO NOTHING`,
      idempotencyKey,
      kind,
      outcome,
      amountMinor,
      currency,
      reference,
    );
    // Whoever recorded first wins; everyone returns that.
    return client.gatewayOperation.findUniqueOrThrow({ where: { idempotencyKey } });
  }

  const asResult = (operation: { outcome: string; reference: string }): ChargeResult =>
    operation.outcome === 'succeeded'
      ? { outcome: 'succeeded', chargeId: operation.reference }
      : { outcome: 'declined', reason: operation.outcome as 'card_declined' | 'insufficient_funds' };

  return {
    async findCharge(idempotencyKey) {
      const operation = await client.gatewayOperation.findUnique({ where: { idempotencyKey } });
      return operation && asResult(operation);
    },
    async charge({ idempotencyKey, cardToken, amountMinor, currency }): Promise<ChargeResult> {
      const previous = await client.gatewayOperation.findUnique({ where: { idempotencyKey } });
      if (previous) return asResult(previous);
      if (cardToken === 'tok_visa_slow') await new Promise((resolve) => setTimeout(resolve, slowMs));
      return asResult(await record(idempotencyKey, 'charge', await decide(cardToken), amountMinor, currency, `ch_${randomUUID()}`));
    },
    async refund({ idempotencyKey, amountMinor, currency }) {
      const operation = await record(idempotencyKey, 'refund', 'succeeded', amountMinor, currency, `re_${randomUUID()}`);
      return { refundId: operation.reference };
    },
  };
}
