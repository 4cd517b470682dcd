import type { FieldCipher } from '@platform/shared/crypto/field-cipher';
import type { CardVault } from '../domain/register-card.ts';
import type { PrismaClient } from './generated/client.ts';

const NUMBER = 'card.number';

/** The vault's table, with card numbers under the vault's own keyring (CARD_ENCRYPTION_KEYS). */
export function cardVault(client: PrismaClient, cipher: FieldCipher): CardVault {
  return {
    async save(card) {
      await client.card.create({
        data: { token: card.cardToken, customerId: card.customerId, numberEncrypted: cipher.encrypt(card.number, NUMBER), brand: card.brand, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear },
      });
    },
    async ownerOf(cardToken) {
      return (await client.card.findUnique({ where: { token: cardToken }, select: { customerId: true } }))?.customerId ?? null;
    },
    async reveal(cardToken) {
      const card = await client.card.findUnique({ where: { token: cardToken }, select: { numberEncrypted: true, expMonth: true, expYear: true, brand: true } });
      return card && { number: cipher.decrypt(card.numberEncrypted, NUMBER), expMonth: card.expMonth, expYear: card.expYear, brand: card.brand };
    },
  };
}
