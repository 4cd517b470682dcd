import { randomUUID } from 'node:crypto';
import type { AuthStore } from './ports.ts';
import { hashSecret, newSecret } from './secrets.ts';

export interface IssuedClient {
  clientId: string;
  /** Shown once; only its hash is kept. */
  clientSecret: string;
}

/** A merchant and the OAuth2 client its back office and scripts log in with (client_credentials). */
export async function createMerchant(store: AuthStore, name: string, actor: string): Promise<IssuedClient & { id: string }> {
  const id = randomUUID();
  await store.insertMerchant({ id, name });
  const issued = await issueClient(store, { kind: 'merchant', name, merchantId: id });
  await store.audit({ actor, action: 'merchant.created', target: `merchant:${id}`, outcome: 'success', details: { clientId: issued.clientId } });
  return { id, ...issued };
}

/** A confidential client for another system of ours (direct reservations, back-office jobs). */
export async function createInternalClient(store: AuthStore, name: string, actor: string): Promise<IssuedClient> {
  const issued = await issueClient(store, { kind: 'internal', name, merchantId: null });
  await store.audit({ actor, action: 'client.created', target: `client:${issued.clientId}`, outcome: 'success' });
  return issued;
}

async function issueClient(store: AuthStore, client: { kind: 'merchant' | 'internal'; name: string; merchantId: string | null }): Promise<IssuedClient> {
  const clientId = `${client.kind === 'merchant' ? 'mc' : 'ic'}_${randomUUID().replaceAll('-', '')}`;
  const clientSecret = newSecret('sk');
  await store.upsertClient({ clientId, ...client, grants: ['client_credentials'], secretHash: hashSecret(clientSecret) });
  return { clientId, clientSecret };
}
