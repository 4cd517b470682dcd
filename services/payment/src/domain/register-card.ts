import { randomBytes } from 'node:crypto';
import { assertUsable, brandOf } from './card-number.ts';

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

export const isVaultToken = (token: string) => token.startsWith('card_');

/** Checks the card (Luhn, expiry) and keeps it for the customer; the CVC is checked by format and forgotten. */
export async function registerCard(vault: CardVault, customerId: string, card: { number: string; expMonth: number; expYear: number }, now: Date): Promise<CardView> {
  assertUsable(card.number, card.expMonth, card.expYear, now);
  const view: CardView = { cardToken: `card_${randomBytes(18).toString('base64url')}`, brand: brandOf(card.number), last4: card.number.slice(-4), expMonth: card.expMonth, expYear: card.expYear };
  await vault.save({ ...view, customerId, number: card.number });
  return view;
}
