/**
 * The payment intent's INSERT, in one place for both of its writers: `saveIntent` (a saved
 * card's intent filed over HTTP, a top-up's) and the one-statement apply of a reservation whose
 * event brought the payment choice sealed. The card token and payer address rest encrypted; the
 * sweeper's later attempts read them back, and they are erased once the payment has an outcome.
 */
import type { FieldCipher } from '@platform/shared/crypto/field-cipher';
import { encryptNullable } from '@platform/shared/crypto/field-cipher';
import type { PaymentIntent } from '../domain/ports.ts';

export const CARD_TOKEN = 'payment_intent.card_token';
export const UPI_VPA = 'payment_intent.upi_vpa';

/** Bound through `param`; only when `gate` holds. An intent already there (filed first) is kept. */
export function intentInsert(intent: PaymentIntent, cipher: FieldCipher, param: (value: unknown) => string, gate = 'true'): string {
  const uuid = (value: string | null) => `${param(value)}::uuid`;
  const values = [uuid(intent.orderId), param(intent.method), param(encryptNullable(cipher, intent.cardToken, CARD_TOKEN)), param(encryptNullable(cipher, intent.upiVpa, UPI_VPA)), uuid(intent.customerId), uuid(intent.merchantId)];
  return `INSERT INTO payment_intent (order_id, method, card_token_encrypted, upi_vpa_encrypted, customer_id, merchant_id)
     SELECT ${values.join(', ')} WHERE ${gate} ON CONFLICT DO NOTHING`;
}
