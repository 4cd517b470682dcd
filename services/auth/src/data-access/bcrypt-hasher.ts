import bcrypt from 'bcrypt';
import type { PasswordHasher } from '../domain/ports.ts';

/**
 * bcrypt (the maintained native binding). A login for an unknown e-mail still pays for one
 * comparison, against a hash made at start with the same cost, so "no such user" and "wrong
 * password" take the same time.
 */
export function bcryptHasher(cost: number): PasswordHasher {
  const dummy = bcrypt.hashSync(`no-such-user-${Math.random()}`, cost);
  return {
    hash: (password) => bcrypt.hash(password, cost),
    verify: (password, hash) => bcrypt.compare(password, hash ?? dummy),
  };
}
