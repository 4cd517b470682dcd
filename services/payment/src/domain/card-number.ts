/**
 * What can be known of a card number without asking anyone: its checksum (Luhn), its brand by
 * prefix, whether it has expired. The test numbers follow the big providers' test mode.
 */
import { AppError } from '@platform/shared/errors';

export function passesLuhn(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let digit = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

export function brandOf(number: string): string {
  if (/^4/.test(number)) return 'visa';
  if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(number)) return 'mastercard';
  if (/^3[47]/.test(number)) return 'amex';
  return 'unknown';
}

/** A card is good through the last day of its expiry month. */
export function assertUsable(number: string, expMonth: number, expYear: number, now: Date): void {
  if (!/^\d{12,19}$/.test(number) || !passesLuhn(number)) throw new AppError('validation', 'invalid card: number: not a valid card number');
  const lastValid = Date.UTC(expYear, expMonth, 1); // the first instant after the expiry month
  if (lastValid <= now.getTime()) throw new AppError('validation', 'invalid card: the card has expired');
}
