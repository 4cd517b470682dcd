/** Which service answers which path: a path equal to a prefix or below it. */
export type ServiceName = 'order' | 'inventory' | 'payment' | 'ledger' | 'notification';

export const ROUTES: ReadonlyArray<{ prefix: string; service: ServiceName }> = [
  { prefix: '/products', service: 'inventory' },
  { prefix: '/inventory', service: 'inventory' },
  { prefix: '/orders', service: 'order' },
  { prefix: '/payments', service: 'payment' },
  { prefix: '/ledger', service: 'ledger' },
  { prefix: '/notifications', service: 'notification' },
];

export function serviceFor(path: string): ServiceName | undefined {
  return ROUTES.find((route) => path === route.prefix || path.startsWith(`${route.prefix}/`))?.service;
}
