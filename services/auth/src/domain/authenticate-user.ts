import type { AuthStore, PasswordHasher, User } from './ports.ts';

/**
 * The password check of the password grant. An unknown e-mail and a wrong password get the
 * same answer (null) and cost the same bcrypt comparison, so neither reveals the other.
 * Both outcomes are audited, by user id when there is one (never the e-mail itself).
 */
export async function authenticateUser(store: AuthStore, hasher: PasswordHasher, email: string, password: string): Promise<User | null> {
  const user = await store.findUserByEmail(email);
  const matches = await hasher.verify(password, user?.passwordHash ?? null);
  if (!user || !matches) {
    await store.audit({ actor: 'anonymous', action: 'login.failed', target: user ? `${user.role}:${user.id}` : null, outcome: 'failure', details: { reason: user ? 'wrong_password' : 'no_such_user' } });
    return null;
  }
  await store.audit({ actor: `${user.role}:${user.id}`, action: 'login.succeeded', target: `${user.role}:${user.id}`, outcome: 'success' });
  const { passwordHash: _hash, ...plain } = user;
  return plain;
}
