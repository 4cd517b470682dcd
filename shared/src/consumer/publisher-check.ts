/**
 * Who published a message, as RabbitMQ itself validated it: the `user_id` property must equal
 * the publishing connection's user, or the broker refuses the message. An event is accepted
 * only from the service that owns its type (the first part of the type: `payment.succeeded.v1`
 * belongs to `payment`), with a `source` that agrees.
 *
 * Retries and dead letters are republished by this consumer under its own user; the
 * publisher it had validated travels in a header that only this consumer's user can vouch
 * for (a copy from anyone else carries their own user_id, and the header is ignored).
 */
import type { ConsumeMessage } from 'amqplib';
import type { Envelope } from '../envelope.ts';
import { AppError } from '../errors.ts';

export const AUTHENTICATED_PUBLISHER_HEADER = 'x-authenticated-publisher';

export interface PublisherCheck {
  /** This consumer's broker user. */
  self: string;
}

export const ownerOfType = (type: string) => type.split('.')[0] ?? '';

export function claimedPublisher(message: ConsumeMessage, check: PublisherCheck): string | undefined {
  const userId = message.properties.userId as string | undefined;
  if (userId !== check.self) return userId;
  const vouched = message.properties.headers?.[AUTHENTICATED_PUBLISHER_HEADER] as unknown;
  return typeof vouched === 'string' ? vouched : undefined;
}

/** The owning service's name when the message is authentic; throws 'unauthorized' otherwise. */
export function authenticatePublisher(envelope: Envelope, message: ConsumeMessage, check: PublisherCheck): string {
  const owner = ownerOfType(envelope.type);
  const publisher = claimedPublisher(message, check);
  if (publisher !== owner || envelope.source !== `/services/${owner}`) {
    throw new AppError('unauthorized', `unauthenticated: ${envelope.type} must be published by ${owner}, not ${publisher ?? 'an unnamed user'} (source ${envelope.source})`);
  }
  return owner;
}
