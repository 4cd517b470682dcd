/**
 * Checks real answers against docs/openapi.json: the operation exists, the status is one it
 * documents, the content type is the documented one and the body validates (JSON Schema
 * 2020-12, OpenAPI 3.1's dialect, with the document's components for `$ref`s).
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

type Content = Record<string, { schema?: object }>;
interface Operation {
  responses: Record<string, { content?: Content }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object> };
}

export const API_DOCUMENT = JSON.parse(readFileSync(new URL('../../../docs/openapi.json', import.meta.url), 'utf8')) as Document;

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema({ $id: 'api:components', components: API_DOCUMENT.components });

const templates = Object.keys(API_DOCUMENT.paths).map((template) => ({ template, pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`) }));

/** The document's path for a request path (`/orders/{id}` for `/orders/4b…`), or null. */
export function templateOf(path: string): string | null {
  const bare = path.split('?')[0]!;
  // A literal path wins over a template (`/merchants/me/…` is not `/merchants/{id}/…`).
  return templates.find((entry) => entry.template === bare)?.template ?? templates.find((entry) => entry.pattern.test(bare))?.template ?? null;
}

const validators = new Map<object, ReturnType<typeof ajv.compile>>();
const rebased = (schema: object) => JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"api:components#/components/')) as object;

/** What is wrong with this answer by the document, or null when it matches. */
export function mismatchOf(method: string, path: string, status: number, contentType: string, body: unknown): string | null {
  const template = templateOf(path);
  const operation = template ? API_DOCUMENT.paths[template]?.[method.toLowerCase()] : undefined;
  if (!template || !operation) return `${method} ${path} is not in the document`;
  const response = operation.responses[String(status)];
  if (!response) return `${method} ${template} answered ${status}, which the document does not list`;
  if (!response.content) return body === null || body === '' ? null : `${method} ${template} ${status} has a body the document does not describe`;
  const type = contentType.split(';')[0]!.trim();
  const media = response.content[type];
  if (!media) return `${method} ${template} ${status} came as ${type}; the document says ${Object.keys(response.content).join(', ')}`;
  if (!media.schema) return null;
  let validate = validators.get(media.schema);
  if (!validate) validators.set(media.schema, (validate = ajv.compile(rebased(media.schema))));
  return validate(body) ? null : `${method} ${template} ${status}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(body).slice(0, 300)}`;
}
