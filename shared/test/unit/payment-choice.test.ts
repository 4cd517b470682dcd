import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { fieldCipher } from '../../src/crypto/field-cipher.ts';
import { OrderPlaced } from '../../src/events/catalog.ts';
import { openPaymentChoice, sealPaymentChoice, type SealedPaymentChoice } from '../../src/events/payment-choice.ts';

const ring = () => fieldCipher(new Map([['choice1', randomBytes(32)]]), randomBytes(32));

describe('the payment choice sealed for the payment service', () => {
  const choices = ring();
  const customerId = randomUUID();
  const card: SealedPaymentChoice = { method: 'CARD', cardToken: 'tok_visa', customerId, merchantId: null };

  it('when a choice is sealed for an order, then it is ciphertext the payment service opens to the same choice, and the event schema takes it', () => {
    const orderId = randomUUID();
    const sealed = sealPaymentChoice(choices, orderId, card);
    assert.ok(!sealed.includes('tok_visa') && !sealed.includes(customerId), 'neither the token nor the customer in clear');
    assert.deepEqual(openPaymentChoice(choices, orderId, sealed), card);
    const upi: SealedPaymentChoice = { method: 'UPI', upiVpa: 'ada.l@okbank', customerId, merchantId: randomUUID() };
    assert.deepEqual(openPaymentChoice(choices, orderId, sealPaymentChoice(choices, orderId, upi)), upi);
    const data = OrderPlaced.schema.parse({ orderId, productId: randomUUID(), quantity: 1, paymentChoiceSealed: sealed });
    assert.equal(data.paymentChoiceSealed, sealed);
  });

  it('when a seal is copied onto another order, tampered with, or opened under another keyring, then it is refused as unprocessable', () => {
    const orderId = randomUUID();
    const sealed = sealPaymentChoice(choices, orderId, card);
    const refused = { name: 'AppError', kind: 'unprocessable' };
    assert.throws(() => openPaymentChoice(choices, randomUUID(), sealed), refused);
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3]!, 'base64url');
    flipped[5] = flipped[5]! ^ 1;
    assert.throws(() => openPaymentChoice(choices, orderId, [...parts.slice(0, 3), flipped.toString('base64url')].join('.')), refused);
    assert.throws(() => openPaymentChoice(ring(), orderId, sealed), refused);
    assert.throws(() => openPaymentChoice(choices, orderId, choices.encrypt('not json', `event.payment_choice:${orderId}`)), refused, 'text that is not a choice');
  });

  it('when an event carries a payment choice in clear, then the schema refuses it', () => {
    const parsed = OrderPlaced.schema.safeParse({ orderId: randomUUID(), productId: randomUUID(), quantity: 1, paymentChoiceSealed: JSON.stringify(card) });
    assert.equal(parsed.success, false);
  });
});
