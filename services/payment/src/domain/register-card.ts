import { randomBytes } from 'node:crypto';
import { assertUsable, brandOf } from './card-number.ts';
import { isSavedCardToken, SAVED_CARD_TOKEN_PREFIX } from '@platform/shared/events/payment-choice';

export interface CardView {
  cardToken: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

/** The vault: card numbers go in encrypted and come out only to be handed to the gateway. */
export interface CardVault {
  save(card: CardView & { customerId: string; number: string }): Promise<void>;
  /** The customer a vault token belongs to, or null. */
  ownerOf(cardToken: string): Promise<string | null>;
  /** The card, number included, for the gateway call only. */
  reveal(cardToken: string): Promise<{ number: string; expMonth: number; expYear: number; brand: string } | null>;
}

/** A token the vault handed out (the order service tells them apart the same way). */
export const isVaultToken = isSavedCardToken;

/** Checks the card (Luhn, expiry) and keeps it for the customer; the CVC is checked by format and forgotten. */
export async function registerCard(vault: CardVault, customerId: string, card: { number: string; expMonth: number; expYear: number }, now: Date): Promise<CardView> {
  assertUsable(card.number, card.expMonth, card.expYear, now);
  const view: CardView = { cardToken: `${SAVED_CARD_TOKEN_PREFIX}${randomBytes(18).toString('base64url')}`, brand: brandOf(card.number), last4: card.number.slice(-4), expMonth: card.expMonth, expYear: card.expYear };
  await vault.save({ ...view, customerId, number: card.number });
  return view;
}
