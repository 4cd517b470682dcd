/** Helpers for the payment tests: vault cards, waiting for a payment state, signed gateway webhooks. */
import { signPayload } from '../../../shared/src/crypto/timestamped-signature.ts';
import type { GatewayClient, PaymentView } from './api.ts';
import type { TestPlatform } from './test-platform.ts';
import { waitFor } from '../../../shared/test/support/wait.ts';

const nextYear = new Date().getUTCFullYear() + 1;

export async function vaultCard(api: GatewayClient, number: string): Promise<string> {
  const answer = await api.request<{ cardToken: string }>('POST', '/payments/cards', { number, expMonth: 12, expYear: nextYear, cvc: '123' });
  if (answer.status !== 201) throw new Error(`card refused: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.cardToken;
}

export async function paymentIn(api: GatewayClient, orderId: string, statuses: readonly string[], timeoutMs?: number): Promise<PaymentView> {
  return waitFor(
    `payment of ${orderId} in ${statuses.join('/')}`,
    async () => {
      const answer = await api.payment(orderId);
      return answer.status === 200 && statuses.includes(answer.body.status) ? answer.body : undefined;
    },
    timeoutMs,
  );
}

/** Posts a gateway event to the payment service's webhook, signed with `secret` at `at`. */
export async function postGatewayEvent(platform: TestPlatform, payload: string, options: { secret?: string; at?: number; signature?: string } = {}) {
  const signature = options.signature ?? signPayload(options.secret ?? platform.secrets.pspWebhookSecret, payload, options.at);
  const response = await fetch(`${platform.url('payment')}/webhooks/gateway`, { method: 'POST', headers: { 'content-type': 'application/json', 'gateway-signature': signature }, body: payload });
  return { status: response.status, body: (await response.json()) as { result?: string; detail?: string } };
}

/** The payer's app answering a UPI collect request at the gateway. */
export async function answerCollect(platform: TestPlatform, chargeId: string, answer: 'approve' | 'decline'): Promise<number> {
  const response = await fetch(`${platform.url('psp')}/v1/collect-requests/${chargeId}/${answer}`, { method: 'POST', headers: { authorization: `Bearer ${platform.secrets.pspApiKey}` } });
  await response.body?.cancel();
  return response.status;
}
