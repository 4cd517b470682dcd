/** Logging in through the gateway as each kind of caller, as a user's scripts would. */
import { randomUUID } from 'node:crypto';

export interface TokenAnswer {
  status: number;
  body: { access_token?: string; refresh_token?: string; error?: string; error_description?: string };
}

export async function tokenRequest(baseUrl: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<TokenAnswer> {
  const response = await fetch(`${baseUrl}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() });
  return { status: response.status, body: (await response.json()) as TokenAnswer['body'] };
}

async function accessToken(baseUrl: string, form: Record<string, string>): Promise<{ accessToken: string; refreshToken: string | undefined }> {
  const answer = await tokenRequest(baseUrl, form);
  if (answer.status !== 200 || !answer.body.access_token) throw new Error(`no token: ${answer.status} ${JSON.stringify(answer.body)}`);
  return { accessToken: answer.body.access_token, refreshToken: answer.body.refresh_token };
}

export const login = (baseUrl: string, email: string, password: string) => accessToken(baseUrl, { grant_type: 'password', client_id: 'platform-web', username: email, password });

export async function registerCustomer(baseUrl: string) {
  const email = `customer-${randomUUID().slice(0, 8)}@example.com`;
  const password = `pw-${randomUUID()}`;
  const response = await fetch(`${baseUrl}/auth/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (response.status !== 201) throw new Error(`customer not registered: ${response.status} ${await response.text()}`);
  const { id } = (await response.json()) as { id: string };
  return { id, email, password, ...(await login(baseUrl, email, password)) };
}

export async function createMerchant(baseUrl: string, adminToken: string) {
  const response = await fetch(`${baseUrl}/merchants`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` }, body: JSON.stringify({ name: `Shop ${randomUUID().slice(0, 6)}` }) });
  if (response.status !== 201) throw new Error(`merchant not created: ${response.status} ${await response.text()}`);
  const merchant = (await response.json()) as { id: string; clientId: string; clientSecret: string };
  const { accessToken: token } = await accessToken(baseUrl, { grant_type: 'client_credentials', client_id: merchant.clientId, client_secret: merchant.clientSecret });
  return { ...merchant, accessToken: token };
}

export interface Sessions {
  admin: string;
  merchant: string;
  merchantId: string;
  customer: string;
  customerId: string;
}

/** An admin (seeded from the platform's secrets), a new merchant and a new customer. */
export async function openSessions(baseUrl: string, admin: { email: string; password: string }): Promise<Sessions> {
  const { accessToken: adminToken } = await login(baseUrl, admin.email, admin.password);
  const merchant = await createMerchant(baseUrl, adminToken);
  const customer = await registerCustomer(baseUrl);
  return { admin: adminToken, merchant: merchant.accessToken, merchantId: merchant.id, customer: customer.accessToken, customerId: customer.id };
}
