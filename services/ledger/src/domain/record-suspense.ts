import type { LedgerContext } from './ports.ts';
import { credit, debit } from './transfers.ts';

export interface SuspenseCommand {
  /** `suspense:<mismatch>:<id>`: one per difference found, however often reconciliation runs. */
  transferId: string;
  gatewayHolds: 'more' | 'less';
  amountMinor: number;
  currency: string;
  orderId: string | null;
}

/**
 * A difference reconciliation could not explain: the gateway's books hold more than ours
 * (clearing is owed it, suspense holds it until a person decides) or less (the other way).
 * The ledger then agrees with the gateway's cash, and the suspense balance is the open question.
 */
export async function recordSuspense(context: LedgerContext, command: SuspenseCommand): Promise<boolean> {
  const amount = BigInt(command.amountMinor);
  if (amount === 0n) return false;
  const clearing = await context.store.openAccount({ type: 'psp_clearing', ownerKey: '', currency: command.currency });
  const suspense = await context.store.openAccount({ type: 'suspense', ownerKey: '', currency: command.currency });
  const postings = command.gatewayHolds === 'more' ? [debit(clearing.id, command.currency, amount), credit(suspense.id, command.currency, amount)] : [debit(suspense.id, command.currency, amount), credit(clearing.id, command.currency, amount)];
  return context.store.recordTransfer(
    { id: command.transferId, kind: 'suspense', reversesId: null, orderId: command.orderId, customerId: null, merchantId: null, ...context.cause, postings },
    new Map([clearing, suspense].map((account) => [account.id, account])),
  );
}
