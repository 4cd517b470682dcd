import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { apiDocument, openApiPath } from '../../scripts/openapi-document.ts';
import { POLICY } from '../../services/gateway/src/policy.ts';

const committed = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8')) as ReturnType<typeof apiDocument>;

describe('the OpenAPI document', () => {
  it('when the schemas are rendered now, then they give the committed docs/openapi.json (pnpm openapi keeps it current)', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(apiDocument())), committed);
  });

  it("when a route is in the gateway's policy, then it is documented with who may call it, and only policy routes are", () => {
    const operations = Object.entries(committed.paths ?? {}).flatMap(([path, item]) => Object.keys(item ?? {}).map((method) => `${method.toUpperCase()} ${path}`));
    assert.deepEqual(operations.sort(), POLICY.map((route) => `${route.method} ${openApiPath(route.path)}`).sort());
    for (const route of POLICY) {
      const operation = (committed.paths?.[openApiPath(route.path)] as Record<string, { security?: unknown[]; responses: Record<string, unknown> }>)[route.method.toLowerCase()]!;
      assert.equal(operation.security !== undefined, route.allow !== 'public', `${route.method} ${route.path} names its bearer token`);
      assert.ok(operation.responses['503'], `${route.method} ${route.path} documents the 503 of an outage`);
    }
  });
});
