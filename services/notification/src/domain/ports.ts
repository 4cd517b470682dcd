import type { NewEvent } from '@platform/shared/envelope';

export interface OutgoingNotice {
  channel: 'email';
  recipient: string | null;
  subject: string;
  body: string;
}

/** Delivers a notice (mail, SMS …) under a stable message id. Throws when delivery failed and is worth retrying. */
export interface NotificationTransport {
  send(notice: OutgoingNotice & { recipient: string; messageId: string }): Promise<void>;
}

export type NotificationStatus = 'PENDING' | 'SENT' | 'FAILED' | 'NO_RECIPIENT';

export interface StoredNotification extends OutgoingNotice {
  id: string;
  orderId: string;
  customerId: string | null;
  template: string;
  /** What the notice is about within its order and template: "" or a refund id. */
  reference: string;
  status: NotificationStatus;
  /** Null for a notice no event caused (a merchant alert). */
  cause: NoticeCause | null;
}

/** The event a notice answers. */
export interface NoticeCause {
  eventId: string;
  correlationId: string;
}

export interface NotificationStore {
  /** False when this order already has this notice (same template and reference). */
  insert(notification: StoredNotification): Promise<boolean>;
  /** The address an earlier notice of this order went to, if any. */
  recipientOf(orderId: string): Promise<string | null>;
  /** PENDING → SENT; false if it was not PENDING. */
  markSent(id: string): Promise<boolean>;
}

export interface NotificationContext {
  store: NotificationStore;
  publish(events: readonly NewEvent[]): Promise<void>;
}

/** A notice claimed for one delivery attempt. */
export interface ClaimedNotice extends OutgoingNotice {
  id: string;
  orderId: string;
  template: string;
  recipient: string;
  attempts: number;
  createdAt: Date;
  cause: NoticeCause | null;
}

/** What delivery needs: claims with a lease, the transport, and transactions of its own. */
export interface DeliveryServices {
  /** Claims a due PENDING notice for `leaseMs` (a crashed sender's lease runs out); null if it is not due or not pending. */
  claim(id: string, leaseMs: number): Promise<ClaimedNotice | null>;
  claimDue(limit: number, leaseMs: number): Promise<ClaimedNotice[]>;
  transport: NotificationTransport;
  /** `cause` makes the events written in it answer the notice's cause. */
  transaction<R>(work: (context: NotificationContext) => Promise<R>, cause: NoticeCause | null): Promise<R>;
  /** After a failed attempt: try again at `nextAttemptAt`, or give up (FAILED) when null. */
  recordFailure(id: string, error: string, nextAttemptAt: Date | null): Promise<void>;
  now(): Date;
  /** How long a delivery attempt may take before another sender may try the notice again. */
  leaseMs: number;
}
