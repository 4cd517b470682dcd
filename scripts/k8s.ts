/**
 * `pnpm k8s`: writes the Kubernetes base in deploy/k8s/base from the same process environments
 * the tests run with (as `pnpm compose` does for compose). Per process: a Deployment (probes on
 * /ready and /health, resources, non-root read-only), a Service and a PodDisruptionBudget; the
 * gateway scales on CPU (HPA), each consumer on its queue's depth (KEDA); the broker is a
 * three-node RabbitmqCluster. Every variable that carries a secret comes from the process's
 * Secret, `<process>-secrets`, which an overlay generates. `--check`: fail if the files differ.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { BROKER_SERVICES } from '../shared/src/amqp/broker-users.ts';
import { CONTAINERS, HTTP_PORT, METRICS_PORT, environmentOf, setupEnvironment } from './compose.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
export const K8S_BASE = path.join(ROOT, 'deploy/k8s/base');
type Container = (typeof CONTAINERS)[number];

const labels = (name: string) => ({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'payment-platform' });
/** Variables whose value holds a secret (a `${…}` reference in compose's form) go to the Secret, whole. */
export const isSecret = (value: string) => value.includes('${');

function env(name: Container) {
  const variables = { ...environmentOf(name), NODE_ENV: 'production' };
  return Object.entries(variables).map(([key, value]) => (isSecret(value) ? { name: key, valueFrom: { secretKeyRef: { name: `${name}-secrets`, key } } } : { name: key, value }));
}

function deployment(name: Container) {
  const metricsPort = name === 'gateway' || name === 'relay';
  const probePort = name === 'relay' ? 'metrics' : 'http';
  const ports = [...(name === 'relay' ? [] : [{ name: 'http', containerPort: HTTP_PORT }]), ...(metricsPort ? [{ name: 'metrics', containerPort: METRICS_PORT }] : [])];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: labels(name) },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels(name) },
      template: {
        metadata: { labels: labels(name) },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          // In-flight messages finish and connections close on SIGTERM; this is the upper bound.
          terminationGracePeriodSeconds: 40,
          containers: [
            {
              name,
              image: `payment-platform/${name}:dev`,
              ports,
              env: env(name),
              readinessProbe: { httpGet: { path: name === 'relay' ? '/health' : '/ready', port: probePort }, periodSeconds: 5, failureThreshold: 3 },
              livenessProbe: { httpGet: { path: '/health', port: probePort }, initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 6 },
              resources: { requests: { cpu: '100m', memory: '192Mi' }, limits: { cpu: '1', memory: '512Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  };
}

function service(name: Container) {
  const ports = [...(name === 'relay' ? [] : [{ name: 'http', port: HTTP_PORT, targetPort: 'http' }]), ...(name === 'gateway' || name === 'relay' ? [{ name: 'metrics', port: METRICS_PORT, targetPort: 'metrics' }] : [])];
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, labels: labels(name) }, spec: { selector: labels(name), ports } };
}

const disruptionBudget = (name: Container) => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec: { minAvailable: 1, selector: { matchLabels: labels(name) } } });

/** Consumers follow their queue: one replica per 200 waiting messages, 1 to 10. */
function queueScaling(name: (typeof BROKER_SERVICES)[number]) {
  return [
    { apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: `${name}-rabbitmq` }, spec: { secretTargetRef: [{ parameter: 'host', name: `${name}-secrets`, key: 'AMQP_URL' }] } },
    {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name },
      spec: {
        scaleTargetRef: { name },
        minReplicaCount: 1,
        maxReplicaCount: 10,
        triggers: [{ type: 'rabbitmq', metadata: { protocol: 'amqp', queueName: name, mode: 'QueueLength', value: '200' }, authenticationRef: { name: `${name}-rabbitmq` } }],
      },
    },
  ];
}

const gatewayAutoscaler = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'gateway' },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gateway' }, minReplicas: 2, maxReplicas: 10, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] },
};

/** The broker: three nodes; the platform declares its queues quorum (replicated) itself. */
const rabbitmqCluster = {
  apiVersion: 'rabbitmq.com/v1beta1',
  kind: 'RabbitmqCluster',
  metadata: { name: 'rabbitmq' },
  spec: { replicas: 3, rabbitmq: { additionalConfig: 'default_queue_type = quorum\n' }, resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } } },
};

/** Before a release: databases migrated, broker users and definitions loaded (scripts/compose-setup.ts). */
const setupJob = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'setup' },
  spec: {
    backoffLimit: 6,
    template: {
      spec: {
        restartPolicy: 'OnFailure',
        securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [{ name: 'setup', image: 'payment-platform/setup:dev', envFrom: [{ secretRef: { name: 'setup-secrets' } }], securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
      },
    },
  },
};

export function baseFiles(): Record<string, unknown[]> {
  const files: Record<string, unknown[]> = {};
  for (const name of CONTAINERS) files[`${name}.yaml`] = [deployment(name), service(name), disruptionBudget(name)];
  files['autoscaling.yaml'] = [gatewayAutoscaler, ...BROKER_SERVICES.flatMap(queueScaling)];
  files['rabbitmq-cluster.yaml'] = [rabbitmqCluster];
  files['setup-job.yaml'] = [setupJob];
  files['kustomization.yaml'] = [{ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', labels: [{ pairs: { 'app.kubernetes.io/part-of': 'payment-platform' } }], resources: Object.keys(files).sort() }];
  return files;
}

/** The variables of a process's Secret: what its Deployment reads with secretKeyRef. */
export function secretVariables(name: Container | 'setup'): Record<string, string> {
  if (name === 'setup') return setupEnvironment();
  return Object.fromEntries(Object.entries(environmentOf(name)).filter(([, value]) => isSecret(value)));
}

/**
 * `pnpm k8s --secrets`: the local overlay's Secret inputs (git-ignored), each reference filled
 * from .env (`pnpm compose:env`). A real cluster's overlay takes them from its secret store.
 */
function writeLocalSecrets(): void {
  const file = path.join(ROOT, '.env');
  if (!existsSync(file)) throw new Error('no .env: run pnpm compose:env first');
  const values = new Map(readFileSync(file, 'utf8').split('\n').filter((line) => line.includes('=')).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1).replace(/\$\$/g, '$')]));
  const fill = (value: string) => value.replace(/\$\{(\w+):\?[^}]*\}/g, (_, variable: string) => values.get(variable) ?? '');
  const directory = path.join(ROOT, 'deploy/k8s/overlays/local/secrets');
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  for (const name of [...CONTAINERS, 'setup'] as const) {
    writeFileSync(path.join(directory, `${name}.env`), Object.entries(secretVariables(name)).map(([key, value]) => `${key}=${fill(value)}\n`).join(''), { mode: 0o600 });
  }
}

const HEADER = '# Written by `pnpm k8s` (scripts/k8s.ts); edit the script, not this file.\n';
export const renderYaml = (documents: unknown[]) => HEADER + documents.map((document) => stringify(document, { lineWidth: 0 })).join('---\n');

if (import.meta.url === `file://${process.argv[1]}` && process.argv.includes('--secrets')) {
  writeLocalSecrets();
  process.stdout.write('wrote deploy/k8s/overlays/local/secrets/*.env\n');
} else if (import.meta.url === `file://${process.argv[1]}`) {
  mkdirSync(K8S_BASE, { recursive: true });
  const stale: string[] = [];
  for (const [file, documents] of Object.entries(baseFiles())) {
    const target = path.join(K8S_BASE, file);
    if (!process.argv.includes('--check')) writeFileSync(target, renderYaml(documents));
    else if (readFileSync(target, 'utf8') !== renderYaml(documents)) stale.push(file);
  }
  if (stale.length > 0) {
    process.stderr.write(`deploy/k8s/base is out of date (${stale.join(', ')}): run pnpm k8s\n`);
    process.exit(1);
  }
  process.stdout.write(process.argv.includes('--check') ? 'deploy/k8s/base is up to date\n' : 'wrote deploy/k8s/base\n');
}
