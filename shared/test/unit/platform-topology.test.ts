import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fieldCipher } from '../../src/crypto/field-cipher.ts';
import { describe, it } from 'node:test';
import { PLATFORM_QUEUES } from '../../src/amqp/platform-topology.ts';
import { orderHandlers } from '../../../services/order/src/entry-points/messaging-handlers.ts';
import { inventoryHandlers } from '../../../services/inventory/src/entry-points/messaging-handlers.ts';
import { ledgerHandlers } from '../../../services/ledger/src/entry-points/messaging-handlers.ts';
import { paymentHandlers } from '../../../services/payment/src/entry-points/messaging-handlers.ts';
import { notificationHandlers } from '../../../services/notification/src/entry-points/messaging-handlers.ts';

const unused = () => Promise.reject(new Error('not called'));
const cipher = fieldCipher(new Map([['test', randomBytes(32)]]), randomBytes(32));

describe('platform topology', () => {
  it('when the relay declares every queue before publishing, then each binds exactly the events its service handles', () => {
    const handled: Record<string, Array<{ definition: { type: string } }>> = {
      order: orderHandlers(cipher),
      inventory: inventoryHandlers(600),
      payment: paymentHandlers({ transaction: unused, settle: unused, read: unused, gatewayFor: () => ({ charge: unused, findCharge: unused, refund: unused }), methodFor: unused, timing: { retryDelayMs: () => 0, pendingPollMs: 0, pendingGiveUpMs: 0 }, now: () => new Date() }, cipher, 0),
      ledger: ledgerHandlers({ defaultFee: { bps: 0, fixedMinor: 0n }, hotAccountSlots: 1 }),
      notification: notificationHandlers(cipher, unused),
    };
    assert.deepEqual(PLATFORM_QUEUES.map((queue) => queue.queue).sort(), Object.keys(handled).sort());
    for (const queue of PLATFORM_QUEUES) {
      assert.deepEqual([...queue.eventTypes].sort(), handled[queue.queue]!.map((handler) => handler.definition.type).sort(), queue.queue);
    }
  });
});
