import type { Role } from '@platform/shared/http/identity';

/** What each kind of caller may do; carried in the token's `scope` claim. */
export const SCOPES_BY_ROLE: Record<Role, string[]> = {
  customer: ['orders:write', 'orders:read', 'payments:read', 'notifications:read'],
  merchant: ['products:write', 'orders:read', 'payments:read'],
  admin: ['admin', 'products:write', 'orders:read', 'payments:read', 'ledger:read', 'inventory:reserve', 'audit:read'],
  internal: ['inventory:reserve'],
};
