import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { loadConfig } from '../src/config';

const ROOT = join(__dirname, '..');
const OVERLAY = join(ROOT, 'deploy', 'overlays', 'production');
const KUBECTL =
  process.env.KUSTOMIZE_KUBECTL ??
  join(ROOT, '.cache', 'tools', 'kubernetes-client', 'usr', 'bin', 'kubectl');

/* eslint-disable @typescript-eslint/no-explicit-any */
type Manifest = Record<string, any>;

/** One Kubernetes (or Prometheus operator) model per kind we ship; `validate()` checks its schema. */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'batch/v1/CronJob': CronJob,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

function render(dir: string): Manifest[] {
  if (!existsSync(KUBECTL)) {
    throw new Error(
      `kubectl (for kustomize) not found at ${KUBECTL}: run "bash scripts/ops-tools.sh" (CI does).`,
    );
  }
  const out = execFileSync(KUBECTL, ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });
  return parseAllDocuments(out).map((doc) => {
    if (doc.errors.length > 0) throw doc.errors[0];
    return doc.toJS() as Manifest;
  });
}

function validationError(object: Manifest): string | null {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) return `no schema for ${object.apiVersion}/${object.kind}`;
  try {
    new Model(object).validate();
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** The variable names of the README's configuration table. */
function readmeVariables(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split('\n## Configuration')[1].split('\n## ')[0];
  return [...section.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
}

const matches = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('Kubernetes manifests: the production overlay rendered by kustomize (e2e)', () => {
  let objects: Manifest[];
  const one = (kind: string): Manifest => {
    const found = objects.filter((o) => o.kind === kind);
    expect(found).toHaveLength(1);
    return found[0];
  };

  beforeAll(() => {
    objects = render(OVERLAY);
  });

  it('renders exactly the expected objects, all valid against their Kubernetes or CRD schema', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      [
        'ConfigMap/user-service-config',
        'CronJob/user-service-release-expired-holds',
        'Deployment/user-service',
        'HorizontalPodAutoscaler/user-service',
        'NetworkPolicy/user-service',
        'PodDisruptionBudget/user-service',
        'Service/user-service',
        'ServiceAccount/user-service',
        'ServiceMonitor/user-service',
      ].sort(),
    );
    expect(objects.map((o) => [o.kind, validationError(o)])).toEqual(
      objects.map((o) => [o.kind, null]),
    );
    for (const o of objects) expect(o.metadata.namespace).toBe('order-processor');
  });

  it('has a validator that really rejects malformed objects', () => {
    const deployment = structuredClone(one('Deployment'));
    deployment.spec.replicas = 'three';
    expect(validationError(deployment)).toMatch(/replicas/);
    const cronJob = structuredClone(one('CronJob'));
    delete cronJob.spec.jobTemplate.spec.template.spec.containers;
    expect(validationError(cronJob)).toMatch(/containers/);
    const monitor = structuredClone(one('ServiceMonitor'));
    delete monitor.spec.selector;
    expect(validationError(monitor)).toMatch(/selector/);
  });

  it('runs the overlay image (pinned tag) in every container', () => {
    const deployment = one('Deployment');
    const cronJob = one('CronJob');
    const images = [
      ...deployment.spec.template.spec.containers,
      ...cronJob.spec.jobTemplate.spec.template.spec.containers,
    ].map((c: Manifest) => c.image);
    expect(new Set(images).size).toBe(1);
    expect(images[0]).toMatch(/^[a-z0-9.-]+\/user-service:\d+\.\d+\.\d+$/);
  });

  it('probes the real health routes: startup and liveness on /health/live, readiness on /health/ready', () => {
    const container = one('Deployment').spec.template.spec.containers[0];
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8001, protocol: 'TCP' }]);
    expect(container.startupProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    const controller = readFileSync(join(ROOT, 'src', 'health', 'health.controller.ts'), 'utf8');
    expect(controller).toContain("@Get('live')");
    expect(controller).toContain("@Get(['ready', 'detailed'])");
    // The readiness timeout covers its DynamoDB check (DescribeTable aborted after 1 s).
    expect(container.readinessProbe.timeoutSeconds).toBeGreaterThan(1);
    expect(container.resources.requests).toEqual(
      expect.objectContaining({ cpu: expect.any(String) }),
    );
    expect(container.resources.limits).toEqual(
      expect.objectContaining({ memory: expect.any(String) }),
    );
  });

  it('runs as non-root on a read-only root filesystem with /tmp as the only writable path', () => {
    for (const pod of [
      one('Deployment').spec.template.spec,
      one('CronJob').spec.jobTemplate.spec.template.spec,
    ]) {
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const c of pod.containers) {
        expect(c.securityContext).toMatchObject({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
      }
      expect(pod.volumes).toEqual([
        { name: 'tmp', emptyDir: expect.objectContaining({ sizeLimit: expect.any(String) }) },
      ]);
    }
    const config = one('ConfigMap').data;
    expect(config.LOCAL_DATA_DIR.startsWith('/tmp/')).toBe(true);
  });

  it('gives a terminating pod more time than the shutdown deadline (which includes the drain)', () => {
    const spec = one('Deployment').spec.template.spec;
    const config = one('ConfigMap').data;
    const drainMs = Number(config.SHUTDOWN_DRAIN_MS);
    // SHUTDOWN_TIMEOUT_MS counts from SIGTERM; the process exits at most 1 s after it.
    const deadlineMs = Number(config.SHUTDOWN_TIMEOUT_MS);
    expect(deadlineMs).toBeGreaterThan(drainMs);
    expect(spec.terminationGracePeriodSeconds * 1000).toBeGreaterThanOrEqual(
      deadlineMs + 1000 + 4000,
    );
    // Readiness fails within the drain, so the endpoints drop the pod before the server closes.
    const readiness = spec.containers[0].readinessProbe;
    expect(readiness.periodSeconds * readiness.failureThreshold * 1000).toBeLessThanOrEqual(
      drainMs,
    );
  });

  it('feeds every variable of the README configuration table from the ConfigMap or the Secret', () => {
    const variables = readmeVariables();
    expect(variables.length).toBeGreaterThanOrEqual(25);
    const container = one('Deployment').spec.template.spec.containers[0];
    const env = new Map<string, Manifest>(container.env.map((e: Manifest) => [e.name, e]));
    const configData = one('ConfigMap').data;
    const configName = one('ConfigMap').metadata.name;
    for (const name of variables) {
      const from = env.get(name)?.valueFrom;
      expect([name, from ? 'referenced' : 'missing']).toEqual([name, 'referenced']);
      if (from.secretKeyRef) {
        expect(from.secretKeyRef).toMatchObject({ name: 'user-service-secrets', key: name });
      } else {
        expect(from.configMapKeyRef).toMatchObject({ name: configName, key: name });
        // A required reference to a missing key would keep the pod from starting.
        if (!from.configMapKeyRef.optional)
          expect([name, name in configData]).toEqual([name, true]);
      }
    }
    for (const e of container.env) expect(e.value).toBeUndefined();
    const secretKeys = container.env
      .filter((e: Manifest) => e.valueFrom.secretKeyRef)
      .map((e: Manifest) => e.name);
    expect(secretKeys.sort()).toEqual(['JWT_SECRET_KEY', 'REDIS_URL', 'SMTP_URL']);
    const cronEnv = one('CronJob').spec.jobTemplate.spec.template.spec.containers[0].envFrom;
    expect(cronEnv).toEqual([
      { configMapRef: { name: configName } },
      { secretRef: { name: 'user-service-secrets' } },
    ]);
  });

  it('is a valid production configuration for the service (with a real secret supplied)', () => {
    const data: Record<string, string> = one('ConfigMap').data;
    const config = loadConfig({
      ...data,
      JWT_SECRET_KEY: 'k'.repeat(8) + 'Zq3vN8xR2mT5wY7bL1cF4hJ6',
      SMTP_URL: 'smtp://mailer:secret@smtp.example.com:587',
    });
    expect(config.isProduction).toBe(true);
    expect(config.dynamodb.embedded).toBe(false);
    expect(config.dynamodb.createTableIfMissing).toBe(false);
    expect(config.docsEnabled).toBe(false);
    expect(config.port).toBe(8001);
    expect(config.shutdownDrainMs).toBe(Number(data.SHUTDOWN_DRAIN_MS));
  });

  it('reaches DynamoDB through IRSA: a role ARN on the service account, no AWS keys anywhere', () => {
    const account = one('ServiceAccount');
    expect(account.metadata.annotations['eks.amazonaws.com/role-arn']).toMatch(
      /^arn:aws:iam::\d{12}:role\/[\w+=,.@-]+$/,
    );
    expect(one('Deployment').spec.template.spec.serviceAccountName).toBe(account.metadata.name);
    expect(one('CronJob').spec.jobTemplate.spec.template.spec.serviceAccountName).toBe(
      account.metadata.name,
    );
    const text = JSON.stringify(objects);
    expect(text).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AKIA[0-9A-Z]{16}/);
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
  });

  it('wires Service, HPA, PDB, NetworkPolicy and ServiceMonitor to the Deployment’s pods and port', () => {
    const deployment = one('Deployment');
    const podLabels = deployment.spec.template.metadata.labels;
    expect(matches(deployment.spec.selector.matchLabels, podLabels)).toBe(true);
    const service = one('Service');
    expect(matches(service.spec.selector, podLabels)).toBe(true);
    expect(service.spec.ports[0].targetPort).toBe('http');
    expect(matches(one('PodDisruptionBudget').spec.selector.matchLabels, podLabels)).toBe(true);
    expect(matches(one('NetworkPolicy').spec.podSelector.matchLabels, podLabels)).toBe(true);
    const hpa = one('HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment.metadata.name,
    });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    const monitor = one('ServiceMonitor');
    expect(matches(monitor.spec.selector.matchLabels, service.metadata.labels)).toBe(true);
    expect(monitor.spec.endpoints).toEqual([
      expect.objectContaining({ port: service.spec.ports[0].name, path: '/metrics' }),
    ]);
  });

  it('runs the expired-hold release CLI every minute, never two at once', () => {
    const cronJob = one('CronJob');
    expect(cronJob.spec.schedule).toBe('* * * * *');
    expect(cronJob.spec.concurrencyPolicy).toBe('Forbid');
    const job = cronJob.spec.jobTemplate.spec;
    expect(job.activeDeadlineSeconds).toBeLessThan(60);
    const command: string[] = job.template.spec.containers[0].command;
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts['holds:release-expired']).toBe(`npm run build && ${command.join(' ')}`);
    const source = command[1].replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');
    expect(existsSync(join(ROOT, source))).toBe(true);
  });
});
