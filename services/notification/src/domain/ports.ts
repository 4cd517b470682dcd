import type { NewEvent } from '@platform/shared/envelope';

export interface OutgoingNotice {
  channel: 'email';
  recipient: string | null;
  subject: string;
  body: string;
}

/** Delivers a notice (mail, SMS …). Throws when delivery failed and is worth retrying. */
export interface NotificationTransport {
  send(notice: OutgoingNotice): Promise<void>;
}

export interface StoredNotification extends OutgoingNotice {
  id: string;
  orderId: string;
  customerId: string | null;
  template: string;
  status: 'SENT' | 'NO_RECIPIENT';
}

export interface NotificationStore {
  /** False when this order already has a notice from this template. */
  insert(notification: StoredNotification): Promise<boolean>;
}

export interface NotificationContext {
  store: NotificationStore;
  transport: NotificationTransport;
  publish(events: readonly NewEvent[]): Promise<void>;
}
