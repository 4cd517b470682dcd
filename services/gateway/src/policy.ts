/**
 * Every route the platform answers from outside, who may call it, and where it goes. Anything
 * not listed here is a 404 (so /internal/*, /metrics and any other service path are never
 * reachable through the gateway). Services check again, object by object: a customer sees
 * only their own orders, payments, entries and notices, a merchant only its own.
 */
import type { Role } from '@platform/shared/http/identity';
import type { ServiceName } from './upstreams.ts';

export type Audience = 'public' | 'authenticated' | readonly Role[];
/** A service to proxy to, or a route the gateway answers by asking several services. */
export type Target = ServiceName | 'timeline' | 'audit';

export interface RoutePolicy {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  to: Target;
  allow: Audience;
  /** A tighter rate-limit budget for this route (see rate-limit.ts). */
  budget?: 'token' | 'orders';
}

const anyone = 'public';
const signedIn = 'authenticated';

export const POLICY: readonly RoutePolicy[] = [
  // Identity: logging in, registering, keys. Brute force on the token endpoint meets a tight budget.
  { method: 'POST', path: '/oauth/token', to: 'auth', allow: anyone, budget: 'token' },
  { method: 'POST', path: '/oauth/revoke', to: 'auth', allow: anyone, budget: 'token' },
  { method: 'GET', path: '/.well-known/jwks.json', to: 'auth', allow: anyone },
  { method: 'POST', path: '/auth/users', to: 'auth', allow: anyone, budget: 'token' },
  { method: 'GET', path: '/auth/me', to: 'auth', allow: signedIn },
  { method: 'POST', path: '/merchants', to: 'auth', allow: ['admin'] },
  { method: 'POST', path: '/merchants/:id/staff', to: 'auth', allow: ['admin'] },
  { method: 'POST', path: '/auth/clients', to: 'auth', allow: ['admin'] },
  { method: 'POST', path: '/auth/signing-keys/rotate', to: 'auth', allow: ['admin'] },

  // The catalogue is public; merchants sell their own products.
  { method: 'GET', path: '/products/:id', to: 'inventory', allow: anyone },
  { method: 'POST', path: '/products', to: 'inventory', allow: ['merchant', 'admin'] },
  // Holding stock with no order behind it: operators and our own systems only.
  { method: 'POST', path: '/inventory/reserve', to: 'inventory', allow: ['admin', 'internal'] },
  { method: 'POST', path: '/inventory/release', to: 'inventory', allow: ['admin', 'internal'] },

  // Orders: customers place them; each party reads its own.
  { method: 'POST', path: '/orders', to: 'order', allow: ['customer'], budget: 'orders' },
  { method: 'GET', path: '/orders', to: 'order', allow: ['customer', 'merchant', 'admin'] },
  { method: 'GET', path: '/orders/:id', to: 'order', allow: ['customer', 'merchant', 'admin'] },
  { method: 'GET', path: '/orders/:id/timeline', to: 'timeline', allow: ['customer', 'merchant', 'admin'] },
  { method: 'POST', path: '/payments/cards', to: 'payment', allow: ['customer'] },
  { method: 'GET', path: '/payments/:id', to: 'payment', allow: ['customer', 'merchant', 'admin'] },
  // The merchant who sold (or an admin) refunds part or all of a payment.
  { method: 'POST', path: '/payments/:id/refunds', to: 'payment', allow: ['merchant', 'admin'] },
  { method: 'GET', path: '/admin/reconciliation/reports/latest', to: 'payment', allow: ['admin'] },
  { method: 'POST', path: '/admin/reconciliation/runs', to: 'payment', allow: ['admin'] },
  { method: 'GET', path: '/notifications', to: 'notification', allow: ['customer', 'admin'] },
  // A merchant's webhook endpoints (Standard Webhooks) and their delivery logs.
  { method: 'POST', path: '/merchants/me/webhook-endpoints', to: 'notification', allow: ['merchant'] },
  { method: 'GET', path: '/merchants/me/webhook-endpoints', to: 'notification', allow: ['merchant'] },
  { method: 'POST', path: '/merchants/me/webhook-endpoints/:id/disable', to: 'notification', allow: ['merchant'] },
  { method: 'POST', path: '/merchants/me/webhook-endpoints/:id/rotate-secret', to: 'notification', allow: ['merchant'] },
  { method: 'GET', path: '/merchants/me/webhook-endpoints/:id/deliveries', to: 'notification', allow: ['merchant'] },
  { method: 'POST', path: '/merchants/me/webhook-endpoints/:id/deliveries/:deliveryId/resend', to: 'notification', allow: ['merchant'] },
  // Wallets: a customer tops up from a vault card and reads posted, pending and available.
  { method: 'POST', path: '/wallet/top-ups', to: 'payment', allow: ['customer'] },
  { method: 'GET', path: '/wallet', to: 'ledger', allow: ['customer'] },

  // Money and operations.
  { method: 'GET', path: '/ledger/entries', to: 'ledger', allow: ['customer', 'merchant', 'admin'] },
  { method: 'GET', path: '/ledger/trial-balance', to: 'ledger', allow: ['admin'] },
  // Accounts: a customer reads its wallets, a merchant its payables, an admin everything.
  { method: 'GET', path: '/ledger/accounts', to: 'ledger', allow: ['customer', 'merchant', 'admin'] },
  { method: 'GET', path: '/ledger/accounts/:id', to: 'ledger', allow: ['customer', 'merchant', 'admin'] },
  { method: 'GET', path: '/ledger/accounts/:id/statement', to: 'ledger', allow: ['customer', 'merchant', 'admin'] },
  { method: 'PUT', path: '/ledger/merchants/:id/fee', to: 'ledger', allow: ['admin'] },
  // A mistake is corrected by a reversing transfer, never by changing one.
  { method: 'POST', path: '/ledger/transfers/:id/reversal', to: 'ledger', allow: ['admin'] },
  { method: 'GET', path: '/audit-log', to: 'audit', allow: ['admin'] },
];

const compiled = POLICY.map((route) => ({ route, pattern: new RegExp(`^${route.path.replace(/:[a-zA-Z]+/g, '[^/]+')}$`) }));

export type Match = { kind: 'route'; route: RoutePolicy } | { kind: 'wrong-method'; allowed: string[] } | { kind: 'none' };

export function matchRoute(method: string, path: string): Match {
  const candidates = compiled.filter((entry) => entry.pattern.test(path));
  const route = candidates.find((entry) => entry.route.method === method)?.route;
  if (route) return { kind: 'route', route };
  return candidates.length > 0 ? { kind: 'wrong-method', allowed: [...new Set(candidates.map((entry) => entry.route.method))] } : { kind: 'none' };
}

export function admits(allow: Audience, role: Role | null): boolean {
  if (allow === 'public') return true;
  if (allow === 'authenticated') return role !== null;
  return role !== null && allow.includes(role);
}
