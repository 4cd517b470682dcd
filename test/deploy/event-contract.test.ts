import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { defineEvent } from '../../shared/src/events/define-event.ts';
import { asyncApi, ASYNCAPI_FILE, contractProblems, currentSchemas, dataSchema, definitions, RELEASED_FILE } from '../../scripts/event-contract.ts';

const released = JSON.parse(readFileSync(RELEASED_FILE, 'utf8')) as ReturnType<typeof currentSchemas>;
const CANCELLED = 'order.cancelled.v1';
/** The catalogue as it is, with order.cancelled's data replaced (or the type renamed). */
function catalogueWith(schema: z.ZodType, type = CANCELLED) {
  const { [CANCELLED]: _cancelled, ...others } = currentSchemas();
  return { ...others, [type]: dataSchema(defineEvent(type, schema)) };
}
const owners = { customerId: z.string().uuid().nullable().default(null), merchantId: z.string().uuid().nullable().default(null), customerEmailSealed: z.string().nullable().default(null) };

describe('the event contract', () => {
  it('when the catalogue is compared with the released schemas, then nothing a released consumer reads has changed, and the AsyncAPI document lists every event', () => {
    assert.deepEqual(contractProblems(released, currentSchemas()), []);
    const document = JSON.parse(readFileSync(ASYNCAPI_FILE, 'utf8')) as ReturnType<typeof asyncApi>;
    assert.deepEqual(document, JSON.parse(JSON.stringify(asyncApi())), 'run pnpm events:docs');
    assert.equal(document.asyncapi, '3.0.0');
    const listed = Object.values(document.channels).map((channel) => (channel as { address: string }).address).sort();
    assert.deepEqual(listed, definitions().map((definition) => definition.type).sort());
    assert.ok(Object.keys(document.operations).some((operation) => operation === 'inventory_receives_order_placed_v1'), 'who consumes what');
  });

  it('when a field is removed, retyped or newly required without a version bump, then the check fails; an added optional field passes', () => {
    const problems = (schema: z.ZodType) => contractProblems(released, catalogueWith(schema));
    assert.deepEqual(problems(z.object({ orderId: z.string().uuid(), ...owners })), [`${CANCELLED}: field "reason" was removed`]);
    assert.match(problems(z.object({ orderId: z.string().uuid(), reason: z.number(), ...owners })).join(), /"reason" changed type/);
    assert.deepEqual(problems(z.object({ orderId: z.string().uuid(), reason: z.string(), refundId: z.string(), ...owners })), [`${CANCELLED}: field "refundId" is newly required`]);
    assert.deepEqual(problems(z.object({ orderId: z.string().uuid(), reason: z.string(), note: z.string().optional(), ...owners })), [], 'an optional addition is compatible');
  });

  it('when the same change comes as a new version of the type, then it passes, but a type that leaves without a successor fails', () => {
    const breaking = z.object({ orderId: z.string().uuid(), reason: z.number(), ...owners });
    assert.deepEqual(contractProblems(released, catalogueWith(breaking, 'order.cancelled.v2')), []);
    const { [CANCELLED]: _gone, ...withoutIt } = currentSchemas();
    assert.deepEqual(contractProblems(released, withoutIt), [`${CANCELLED} left the catalogue without a newer version`]);
  });
});
