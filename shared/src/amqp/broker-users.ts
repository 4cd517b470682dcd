/**
 * One broker user per service, named after it, with permissions that let it declare and read
 * only its own queues, publish to the events exchange only the routing keys (event types) it
 * owns (topic permissions), and copy its own failed messages into its own retry queues and
 * DLQ through the default exchange. Written into rabbitmq/definitions.json and applied by the
 * development and test setup; `guest` is for a developer's machine only.
 */
import { EVENTS_EXCHANGE } from '../outbox/write-events.ts';
import { UNROUTED_EXCHANGE } from './topology.ts';

/** Services that publish or consume events. */
export const BROKER_SERVICES = ['order', 'inventory', 'payment', 'ledger', 'notification'] as const;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const shared = [EVENTS_EXCHANGE, UNROUTED_EXCHANGE].map(escape).join('|');

export interface ServicePermissions {
  configure: string;
  write: string;
  read: string;
  topic: { exchange: string; write: string; read: string };
}

export function servicePermissions(service: string): ServicePermissions {
  const own = `${escape(service)}(\\..*)?`;
  return {
    configure: `^(${own}|${shared})$`,
    // amq.default: its own retry queues and DLQ. A copy it sends to another queue carries its
    // own user_id, so the consumer there rejects it as not from the event's owner.
    write: `^(${own}|${shared}|amq\\.default)$`,
    read: `^(${own}|${shared})$`,
    topic: { exchange: EVENTS_EXCHANGE, write: `^${escape(service)}\\.`, read: '.*' },
  };
}
