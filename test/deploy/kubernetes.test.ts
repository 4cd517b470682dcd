/**
 * The Kubernetes manifests, rendered the way kustomize renders the local overlay (the features
 * it uses: resources, namespace, replicas, secretGenerator; any other key fails the test rather
 * than being skipped) and validated against the Kubernetes 1.27 schemas (kubernetes-models) and
 * KEDA's; the RabbitmqCluster, whose operator publishes no npm schema, by its required shape.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments, parse } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Secret, Service } from 'kubernetes-models/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { ScaledObject, TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { BROKER_SERVICES } from '../../shared/src/amqp/broker-users.ts';
import { CONTAINERS } from '../../scripts/compose.ts';
import { baseFiles, K8S_BASE, renderYaml, secretVariables } from '../../scripts/k8s.ts';

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec?: Record<string, unknown>; data?: Record<string, string> };
const OVERLAY = 'deploy/k8s/overlays/local';
const SUPPORTED = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'replicas', 'generatorOptions', 'secretGenerator', 'labels']);

function kustomization(directory: string) {
  const file = parse(readFileSync(path.join(directory, 'kustomization.yaml'), 'utf8')) as Record<string, unknown>;
  for (const key of Object.keys(file)) assert.ok(SUPPORTED.has(key), `${directory}: kustomization key "${key}" is rendered by this test`);
  return file as { namespace?: string; resources: string[]; replicas?: Array<{ name: string; count: number }>; secretGenerator?: Array<{ name: string; envs: string[] }> };
}

function render(directory: string): Manifest[] {
  const own = kustomization(directory);
  const manifests = own.resources.flatMap((resource) => {
    const target = path.join(directory, resource);
    return resource.endsWith('.yaml') ? parseAllDocuments(readFileSync(target, 'utf8')).map((document) => document.toJSON() as Manifest) : render(target);
  });
  for (const { name, envs } of own.secretGenerator ?? []) {
    // The env files are git-ignored (real secrets): their keys are what `pnpm k8s --secrets` writes.
    const process = envs[0]!.replace(/^secrets\/|\.env$/g, '');
    manifests.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, data: Object.fromEntries(Object.keys(secretVariables(process as 'setup')).map((key) => [key, 'c2VjcmV0'])) });
  }
  for (const { name, count } of own.replicas ?? []) {
    const deployment = manifests.find((manifest) => manifest.kind === 'Deployment' && manifest.metadata.name === name);
    assert.ok(deployment, `replicas for ${name}: a Deployment of that name`);
    deployment.spec!.replicas = count;
  }
  if (own.namespace) for (const manifest of manifests) manifest.metadata.namespace = own.namespace;
  return manifests;
}

const MODELS: Record<string, new (data: never) => { validate(): void }> = { Deployment, Service, Secret, PodDisruptionBudget, HorizontalPodAutoscaler, Job, ScaledObject, TriggerAuthentication };

describe('the Kubernetes manifests', () => {
  const manifests = render(OVERLAY);
  const named = (kind: string, name: string) => manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);

  it('when the base is read, then it is what pnpm k8s writes', () => {
    for (const [file, documents] of Object.entries(baseFiles())) assert.equal(readFileSync(path.join(K8S_BASE, file), 'utf8'), renderYaml(documents), `${file}: run pnpm k8s`);
  });

  it('when the local overlay is rendered, then every object validates against its schema', () => {
    for (const manifest of manifests) {
      if (manifest.kind === 'RabbitmqCluster') {
        assert.equal(manifest.apiVersion, 'rabbitmq.com/v1beta1');
        assert.equal(manifest.spec?.replicas, 3, 'a three-node broker');
        continue;
      }
      const Model = MODELS[manifest.kind];
      assert.ok(Model, `a schema for ${manifest.kind}`);
      assert.doesNotThrow(() => new Model(manifest as never).validate(), `${manifest.kind} ${manifest.metadata.name}`);
      assert.equal(manifest.metadata.namespace, 'payment-platform');
    }
    // The schemas do refuse a wrong object.
    assert.throws(() => new Deployment({ metadata: { name: 'x' }, spec: { replicas: 'two' } } as never).validate());
  });

  it('when a process is deployed, then it has probes, resources, a disruption budget, a non-root read-only container and every secret it reads', () => {
    for (const name of CONTAINERS) {
      const deployment = named('Deployment', name) as unknown as Deployment;
      assert.ok(deployment, `a Deployment for ${name}`);
      const [container] = deployment.spec!.template.spec!.containers;
      assert.ok(container!.readinessProbe?.httpGet && container!.livenessProbe?.httpGet, `${name}: probes`);
      assert.ok(container!.resources?.requests && container!.resources.limits, `${name}: resources`);
      assert.equal(container!.securityContext?.readOnlyRootFilesystem, true);
      assert.equal(deployment.spec!.template.spec!.securityContext?.runAsNonRoot, true);
      assert.ok(named('PodDisruptionBudget', name), `${name}: a PodDisruptionBudget`);
      for (const variable of container!.env ?? []) {
        const reference = variable.valueFrom?.secretKeyRef;
        if (!reference) continue;
        const secret = named('Secret', reference.name!);
        assert.ok(secret?.data && reference.key in secret.data, `${name}: ${variable.name} from ${reference.name}/${reference.key}`);
      }
      assert.ok(!JSON.stringify(container!.env).includes('${'), `${name}: no secret written in a plain value`);
    }
  });

  it('when load rises, then the gateway scales on CPU and each consumer on its own queue depth', () => {
    const autoscaler = named('HorizontalPodAutoscaler', 'gateway') as unknown as HorizontalPodAutoscaler;
    assert.equal(autoscaler.spec.scaleTargetRef.name, 'gateway');
    assert.equal(autoscaler.spec.metrics![0]!.resource!.name, 'cpu');
    for (const service of BROKER_SERVICES) {
      const scaled = named('ScaledObject', service) as unknown as ScaledObject;
      assert.ok(scaled, `a ScaledObject for ${service}`);
      assert.equal(scaled.spec.scaleTargetRef.name, service);
      const [trigger] = scaled.spec.triggers;
      assert.equal(trigger!.type, 'rabbitmq');
      assert.equal(trigger!.metadata.queueName, service, 'its own queue');
      assert.ok(named('TriggerAuthentication', trigger!.authenticationRef!.name), 'with credentials from its Secret');
    }
  });
});
