/**
 * Test mode, as the big card processors have it: the card number decides what happens.
 *   4242424242424242   succeeds (as does any other valid number)
 *   4000000000000002   declined: card_declined
 *   4000000000009995   declined: insufficient_funds
 *   4000000000000119   fails transiently (503) twice for an idempotency key, then succeeds
 *   4000000000000010   charged, but the answer never comes (the caller times out)
 *   4000000000003220   pending; confirmed asynchronously (webhook) after a delay
 *   4000000000000036   succeeds, answering only after a delay (PSP_SLOW_CARD_MS)
 */
export type CardBehaviour = 'succeed' | 'decline' | 'insufficient_funds' | 'transient_twice' | 'never_answer' | 'async' | 'slow';

export const TEST_CARDS: Readonly<Record<string, CardBehaviour>> = {
  '4000000000000002': 'decline',
  '4000000000009995': 'insufficient_funds',
  '4000000000000119': 'transient_twice',
  '4000000000000010': 'never_answer',
  '4000000000003220': 'async',
  '4000000000000036': 'slow',
};

export const behaviourOf = (number: string): CardBehaviour => TEST_CARDS[number] ?? 'succeed';

export function brandOf(number: string): string {
  if (/^4/.test(number)) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(number)) return 'mastercard';
  if (/^3[47]/.test(number)) return 'amex';
  return 'unknown';
}

/** How many transient failures the transient card gives per idempotency key. */
export const TRANSIENT_FAILURES = 2;
