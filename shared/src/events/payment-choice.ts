/**
 * How the customer pays, sealed by the order service for the payment service alone: AES-256-GCM
 * under `PAYMENT_CHOICE_KEYS`, a keyring only those two hold (inventory forwards the seal from
 * order.placed into inventory.reserved without being able to open it; the broker, the outboxes
 * and the timeline see only ciphertext). The order id is bound in as associated data, so a seal
 * copied onto another order's event does not open there, and the tag means nobody on the way can
 * change who pays or with what.
 *
 * Why it travels at all: filing it over HTTP before the order existed cost every order a call,
 * a request in the payment service and a commit of its own (#11). A saved card is still checked
 * with payment before the order exists (`isSavedCardToken`), because only payment's vault knows
 * whose card it is, and the customer should hear "not your card" as a 422, not as a cancellation.
 */
import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { FieldCipher } from '../crypto/field-cipher.ts';

const PURPOSE = 'event.payment_choice';

const owners = { customerId: z.string().uuid(), merchantId: z.string().uuid().nullable() };
export const paymentChoiceSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('CARD'), cardToken: z.string().min(1).max(200), ...owners }),
  z.object({ method: z.literal('UPI'), upiVpa: z.string().min(3).max(255), ...owners }),
  z.object({ method: z.literal('WALLET'), ...owners }),
]);
export type SealedPaymentChoice = z.infer<typeof paymentChoiceSchema>;

/** The payment service's saved cards (its vault) hand out tokens with this prefix; a PSP's do not. */
export const SAVED_CARD_TOKEN_PREFIX = 'card_';
export const isSavedCardToken = (token: string) => token.startsWith(SAVED_CARD_TOKEN_PREFIX);

export function sealPaymentChoice(cipher: FieldCipher, orderId: string, choice: SealedPaymentChoice): string {
  return cipher.encrypt(JSON.stringify(choice), `${PURPOSE}:${orderId}`);
}

/** Opens a seal made for this order; anything else is a permanent failure (the message goes to the DLQ). */
export function openPaymentChoice(cipher: FieldCipher, orderId: string, sealed: string): SealedPaymentChoice {
  let text: string;
  try {
    text = cipher.decrypt(sealed, `${PURPOSE}:${orderId}`);
  } catch (error) {
    throw new AppError('unprocessable', `the payment choice of order ${orderId} does not open with this service's keys`, undefined, { cause: error });
  }
  const parsed = paymentChoiceSchema.safeParse(parseJson(text));
  if (!parsed.success) throw new AppError('unprocessable', `the payment choice of order ${orderId} is not one this service knows`);
  return parsed.data;
}

/** Text that is not JSON is just another choice this service does not know (never a crash). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
