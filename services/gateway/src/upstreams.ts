/** The services behind the gateway. */
export const SERVICE_NAMES = ['auth', 'order', 'inventory', 'payment', 'ledger', 'notification'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
export type Upstreams = Record<ServiceName, string>;
