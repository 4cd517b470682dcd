import { randomUUID } from 'node:crypto';
import { AppError } from '@platform/shared/errors';
import type { AuthStore, PasswordHasher, User } from './ports.ts';

export interface RegisterCommand {
  email: string;
  password: string;
  role: User['role'];
  merchantId: string | null;
  /** Who asked: `anonymous` for self-registration, an admin otherwise. */
  actor: string;
}

/** Creates a login. An e-mail already registered is a conflict (409), whatever its role. */
export async function registerUser(store: AuthStore, hasher: PasswordHasher, command: RegisterCommand): Promise<User> {
  const user = { id: randomUUID(), email: command.email, role: command.role, merchantId: command.merchantId };
  if (!(await store.insertUser({ ...user, passwordHash: await hasher.hash(command.password) }))) {
    throw new AppError('conflict', 'an account with this e-mail already exists');
  }
  await store.audit({ actor: command.actor, action: 'user.registered', target: `${user.role}:${user.id}`, outcome: 'success' });
  return user;
}

/** The first admin, from ADMIN_EMAIL / ADMIN_PASSWORD: created once, left alone after. */
export async function seedAdmin(store: AuthStore, hasher: PasswordHasher, email: string, password: string): Promise<void> {
  if (await store.findUserByEmail(email)) return;
  await registerUser(store, hasher, { email, password, role: 'admin', merchantId: null, actor: 'service:auth' }).catch((error: unknown) => {
    // Another instance seeded it at the same moment.
    if (!(error instanceof AppError && error.kind === 'conflict')) throw error as Error;
  });
}
