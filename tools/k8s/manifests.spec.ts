/**
 * The Kubernetes manifests (k8s/, docs/deploy.md), checked without a cluster: both overlays
 * render with `kubectl kustomize`, every object validates against its schema (kubernetes-models
 * and its KEDA, Prometheus operator and CloudNativePG packages), and the rendered output keeps
 * the rules of the deployment: probes, resources, non-root read-only containers, images by tag,
 * a migration step per app, a ScaledObject per consumer, HPAs, network policies, monitoring on
 * metrics the apps really export, and nothing of the sandbox nor any secret in production.
 *
 * A unit test: rendering is a local, offline `kubectl kustomize` of files in the repository
 * (about a second for both overlays), no cluster and no infrastructure.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { Deployment, StatefulSet, type IDeployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy, type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service, type IService } from 'kubernetes-models/v1';
import type { IIoK8sApiCoreV1Container as Container } from 'kubernetes-models/v1/Container';
import type { IIoK8sApiCoreV1PodSpec as PodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IIoK8sApimachineryPkgApisMetaV1LabelSelector as LabelSelector } from '@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector';
import {
  ScaledObject,
  TriggerAuthentication,
  type IScaledObject,
} from '@kubernetes-models/keda/keda.sh/v1alpha1';
import {
  PrometheusRule,
  ServiceMonitor,
  type IPrometheusRule,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import {
  Cluster,
  Database,
  type ICluster,
  type IDatabase,
} from '@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The apps of the product (tools/services.ts) with the schema each owns. */
const APPS = {
  gateway: 'gateway',
  'webhook-ingest': 'ingest',
  metering: 'metering',
  billing: 'billing',
  subscriptions: 'subscriptions',
  disputes: 'disputes',
} as const;
type App = keyof typeof APPS;
const APP_NAMES = Object.keys(APPS) as App[];
const PUBLIC_APPS: readonly App[] = ['gateway', 'webhook-ingest'];
/** The apps scaled by KEDA on their queue; the public ones are scaled on CPU by an HPA. */
const QUEUE_SCALED_APPS: readonly App[] = ['metering', 'billing', 'subscriptions', 'disputes'];

interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly labels?: Record<string, string> };
  readonly [field: string]: unknown;
}

interface Validatable {
  validate(): void;
}

/** The model that validates each kind we deploy; a kind missing here fails the test. */
const MODELS: Record<string, new (data: never) => Validatable> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
  'keda.sh/v1alpha1/TriggerAuthentication': TriggerAuthentication,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
  'postgresql.cnpg.io/v1/Cluster': Cluster,
  'postgresql.cnpg.io/v1/Database': Database,
};

/**
 * kubernetes-models has no RabbitMQ Cluster Operator package: the fields we set are checked by
 * hand against the CRD (rabbitmq.com/v1beta1), and no field outside them is allowed.
 */
function validateRabbitmqCluster(object: K8sObject): void {
  const spec = object.spec as Record<string, unknown> | undefined;
  if (spec === undefined) throw new Error('RabbitmqCluster without spec');
  const known = ['replicas', 'image', 'resources', 'persistence', 'rabbitmq', 'override'];
  for (const key of Object.keys(spec))
    if (!known.includes(key)) throw new Error(`RabbitmqCluster: unchecked field spec.${key}`);
  if (!Number.isInteger(spec.replicas)) throw new Error('spec.replicas must be an integer');
  if (typeof spec.image !== 'string') throw new Error('spec.image must be a string');
  const persistence = spec.persistence as { storage?: unknown } | undefined;
  if (typeof persistence?.storage !== 'string' || !/^\d+(Mi|Gi|Ti)$/.test(persistence.storage))
    throw new Error('spec.persistence.storage must be a quantity');
  const rabbitmq = spec.rabbitmq as { additionalConfig?: unknown } | undefined;
  if (rabbitmq !== undefined && typeof rabbitmq.additionalConfig !== 'string')
    throw new Error('spec.rabbitmq.additionalConfig must be a string');
}

function render(overlay: string): K8sObject[] {
  const output = execFileSync('kubectl', ['kustomize', join(ROOT, 'k8s/overlays', overlay)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  return parseAllDocuments(output).map((document) => {
    if (document.errors.length > 0) throw new Error(document.errors.join('; '));
    return withUnwrappedSecretData(document.toJS() as K8sObject);
  });
}

/**
 * kustomize folds long base64 values of a Secret over several lines; the API server's decoder
 * skips the newlines, the schema's `byte` format does not.
 */
function withUnwrappedSecretData(object: K8sObject): K8sObject {
  const data = object.data;
  if (object.kind !== 'Secret' || typeof data !== 'object' || data === null) return object;
  const unwrapped = Object.entries(data as Record<string, string>).map(([key, value]) => [
    key,
    value.replace(/\s+/g, ''),
  ]);
  return { ...object, data: Object.fromEntries(unwrapped) };
}

function validate(object: K8sObject): void {
  const id = `${object.apiVersion}/${object.kind}`;
  if (id === 'rabbitmq.com/v1beta1/RabbitmqCluster') {
    validateRabbitmqCluster(object);
    return;
  }
  const Model = MODELS[id];
  if (Model === undefined) throw new Error(`no schema for ${id} (${object.metadata.name})`);
  new Model(object as never).validate();
}

function ofKind<T>(objects: readonly K8sObject[], guard: (value: unknown) => value is T): T[] {
  return objects.filter((object): object is K8sObject & T => guard(object));
}

function named<T extends { metadata?: { name?: string } }>(objects: readonly T[], name: string): T {
  const found = objects.find((object) => object.metadata?.name === name);
  if (found === undefined) throw new Error(`no ${name}`);
  return found;
}

function podSpecOf(workload: { spec?: { template: { spec?: PodSpec } } }): PodSpec {
  const spec = workload.spec?.template.spec;
  if (spec === undefined) throw new Error('workload without a pod spec');
  return spec;
}

function allContainers(spec: PodSpec): Container[] {
  return [...(spec.initContainers ?? []), ...spec.containers];
}

/** Does a label selector (matchLabels and matchExpressions In/NotIn/Exists) match these labels? */
function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {}))
    if (labels[key] !== value) return false;
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const value = labels[key];
    if (operator === 'In' && (value === undefined || !values.includes(value))) return false;
    if (operator === 'NotIn' && value !== undefined && values.includes(value)) return false;
    if (operator === 'Exists' && value === undefined) return false;
    if (operator === 'DoesNotExist' && value !== undefined) return false;
  }
  return true;
}

/** Every `aegis_*` metric the apps define (`name: 'aegis_…'` beside new Counter/Gauge/Histogram). */
function exportedMetrics(): Set<string> {
  const names = new Set<string>();
  const walk = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'dashboard') walk(path);
      } else if (entry.name.endsWith('.ts') && !/\.(int-|e2e-)?spec\.ts$/.test(entry.name)) {
        for (const match of readFileSync(path, 'utf8').matchAll(/name: '(aegis_[a-z_]+)'/g))
          if (match[1] !== undefined) names.add(match[1]);
      }
    }
  };
  walk(join(ROOT, 'apps'));
  walk(join(ROOT, 'libs'));
  return names;
}

/** The aegis_* series an expression reads, histogram suffixes folded into the metric's name. */
function metricsIn(expression: string): string[] {
  return [...expression.matchAll(/\baegis_[a-z_]+/g)].map((match) =>
    match[0].replace(/_(bucket|count|sum)$/, ''),
  );
}

function isAegisApp(deployment: IDeployment): deployment is IDeployment & {
  metadata: { name: App };
} {
  return APP_NAMES.some((app) => app === deployment.metadata?.name);
}

const IMAGE_BY_TAG =
  /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*:[\w][\w.-]{0,127}(@sha256:[0-9a-f]{64})?$/;

describe.each(['dev', 'prod'])('k8s/overlays/%s', (overlay) => {
  let objects: K8sObject[];
  let deployments: IDeployment[];
  let apps: (IDeployment & { metadata: { name: App } })[];
  let config: Record<string, string>;

  beforeAll(() => {
    objects = render(overlay);
    deployments = ofKind(objects, Deployment.is);
    apps = deployments.filter(isAegisApp);
    const configMap = ofKind(objects, ConfigMap.is).find((map) =>
      map.metadata?.name?.startsWith('aegis-config'),
    );
    config = configMap?.data ?? {};
  });

  it('renders objects that each validate against the schema of their kind', () => {
    expect(objects.length).toBeGreaterThan(30);
    const failures: string[] = [];
    for (const object of objects) {
      try {
        validate(object);
      } catch (error) {
        failures.push(`${object.kind} ${object.metadata.name}: ${(error as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
    expect(apps.map((app) => app.metadata.name).sort()).toEqual([...APP_NAMES].sort());
  });

  it('runs every container from an image by tag (never latest), with requests and limits', () => {
    const workloads = [...deployments, ...ofKind(objects, StatefulSet.is)];
    expect(workloads.length).toBeGreaterThanOrEqual(6);
    for (const workload of workloads) {
      for (const container of allContainers(podSpecOf(workload))) {
        const where = `${workload.metadata?.name}/${container.name}`;
        expect([where, container.image]).toEqual([where, expect.stringMatching(IMAGE_BY_TAG)]);
        expect([where, container.image?.split('@')[0]?.endsWith(':latest')]).toEqual([
          where,
          false,
        ]);
        for (const kind of ['requests', 'limits'] as const)
          expect([where, kind, Object.keys(container.resources?.[kind] ?? {}).sort()]).toEqual([
            where,
            kind,
            ['cpu', 'memory'],
          ]);
      }
      for (const container of podSpecOf(workload).containers) {
        const where = `${workload.metadata?.name}/${container.name}`;
        expect([where, container.livenessProbe !== undefined]).toEqual([where, true]);
        expect([where, container.readinessProbe !== undefined]).toEqual([where, true]);
      }
    }
  });

  it('runs every container as non-root; the apps as user 1000 on a read-only root file system', () => {
    for (const workload of [...deployments, ...ofKind(objects, StatefulSet.is)]) {
      const pod = podSpecOf(workload);
      for (const container of allContainers(pod)) {
        const where = `${workload.metadata?.name}/${container.name}`;
        const nonRoot =
          container.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
        expect([where, nonRoot]).toEqual([where, true]);
        expect([where, container.securityContext?.allowPrivilegeEscalation]).toEqual([
          where,
          false,
        ]);
        expect([where, container.securityContext?.capabilities?.drop]).toEqual([where, ['ALL']]);
        // The dev-only RabbitMQ image writes under /etc/rabbitmq at start; prod's nodes are the operator's.
        if (!(overlay === 'dev' && container.name === 'rabbitmq'))
          expect([where, container.securityContext?.readOnlyRootFilesystem]).toEqual([where, true]);
      }
    }
    for (const app of [
      ...apps,
      ...deployments.filter((d) => d.metadata?.name === 'stripe-sandbox'),
    ]) {
      const pod = podSpecOf(app);
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 1000,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: expect.any(Object) });
      for (const container of allContainers(pod)) {
        expect(container.securityContext).toMatchObject({
          runAsNonRoot: true,
          runAsUser: 1000,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      }
    }
  });

  it('starts each app from the one image with its command, probes, config and Secret, after migrating its schema', () => {
    const images = new Set(apps.map((app) => podSpecOf(app).containers[0]?.image));
    expect(images.size).toBe(1);
    for (const app of apps) {
      const name = app.metadata.name;
      const pod = podSpecOf(app);
      const [main, ...others] = pod.containers;
      expect(others).toEqual([]);
      expect(main?.command).toEqual([
        'node',
        '--enable-source-maps',
        `dist/apps/${name}/src/main.js`,
      ]);
      expect(main?.livenessProbe?.httpGet).toMatchObject({ path: '/health/live', port: 'http' });
      expect(main?.readinessProbe?.httpGet).toMatchObject({ path: '/health/ready', port: 'http' });
      expect(
        main?.envFrom?.map((source) => source.configMapRef?.name ?? source.secretRef?.name),
      ).toEqual([
        expect.stringMatching(/^aegis-config/),
        expect.stringMatching(new RegExp(`^aegis-${name}`)),
      ]);
      const migrate = pod.initContainers?.find((container) => container.name === 'migrate');
      expect(migrate?.image).toBe(main?.image);
      expect(migrate?.command).toEqual([
        'node',
        '--enable-source-maps',
        'dist/tools/migrate.js',
        name,
      ]);
      expect(migrate?.envFrom).toEqual(main?.envFrom);
    }
  });

  it('gives each app a Service on its named port and a PodDisruptionBudget', () => {
    const services = ofKind(objects, Service.is);
    const budgets = ofKind(objects, PodDisruptionBudget.is);
    for (const app of apps) {
      const labels = app.spec?.template.metadata?.labels ?? {};
      const service: IService = named(services, app.metadata.name);
      expect(selects({ matchLabels: service.spec?.selector ?? { none: 'none' } }, labels)).toBe(
        true,
      );
      expect(service.spec?.ports?.[0]?.targetPort).toBe('http');
      expect(podSpecOf(app).containers[0]?.ports?.[0]?.name).toBe('http');
      const budget = named(budgets, app.metadata.name);
      expect(selects(budget.spec?.selector ?? {}, labels)).toBe(true);
    }
  });

  it('scales gateway and webhook-ingest with an HPA and every other consumer with KEDA on its queue', () => {
    const hpas = ofKind(objects, HorizontalPodAutoscaler.is);
    const scaledObjects: IScaledObject[] = ofKind(objects, ScaledObject.is);
    const authentications = ofKind(objects, TriggerAuthentication.is);
    const minimum = overlay === 'prod' ? 2 : 1;
    for (const app of PUBLIC_APPS) {
      const hpa = named(hpas, app);
      expect(hpa.spec.scaleTargetRef).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: app,
      });
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(minimum);
      expect(hpa.spec.maxReplicas).toBeGreaterThanOrEqual(hpa.spec.minReplicas ?? 1);
    }
    const prefix = config.MESSAGING_PREFIX;
    expect(prefix).toBe('aegis');
    for (const app of QUEUE_SCALED_APPS) {
      const scaled = named(scaledObjects, app);
      expect(scaled.spec.scaleTargetRef.name).toBe(app);
      expect(scaled.spec.minReplicaCount).toBeGreaterThanOrEqual(minimum);
      expect(scaled.spec.triggers).toHaveLength(1);
      const [trigger] = scaled.spec.triggers;
      // The consumer's queue as libs/messaging/src/topology.ts names it: <MESSAGING_PREFIX>.<service>.
      expect(trigger).toMatchObject({
        type: 'rabbitmq',
        metadata: { queueName: `${prefix}.${app}` },
      });
      expect(authentications.map((auth) => auth.metadata?.name)).toContain(
        trigger?.authenticationRef?.name,
      );
      expect(hpas.map((hpa) => hpa.spec.scaleTargetRef.name)).not.toContain(app);
    }
    for (const auth of authentications)
      for (const ref of auth.spec.secretTargetRef ?? [])
        expect(ref).toMatchObject({ parameter: 'host' });
    const replicas = apps.map((app) => [app.metadata.name, app.spec?.replicas]);
    expect(replicas).toEqual(
      apps.map((app) => [app.metadata.name, overlay === 'prod' ? expect.any(Number) : 1]),
    );
    if (overlay === 'prod')
      for (const [name, count] of replicas)
        expect([name, Number(count) >= 2]).toEqual([name, true]);
  });

  it('lets outside traffic reach gateway and webhook-ingest only, and the apps reach only their dependencies', () => {
    const policies: INetworkPolicy[] = ofKind(objects, NetworkPolicy.is);
    for (const app of apps) {
      const labels = app.spec?.template.metadata?.labels ?? {};
      const applying = policies.filter((policy) => selects(policy.spec?.podSelector ?? {}, labels));
      const ingress = applying.filter((policy) => policy.spec?.policyTypes?.includes('Ingress'));
      const egress = applying.filter((policy) => policy.spec?.policyTypes?.includes('Egress'));
      expect([app.metadata.name, ingress.length > 0, egress.length > 0]).toEqual([
        app.metadata.name,
        true,
        true,
      ]);
      const sources = ingress
        .flatMap((policy) => policy.spec?.ingress ?? [])
        .flatMap((rule) => rule.from ?? [{}]);
      if (PUBLIC_APPS.includes(app.metadata.name)) {
        expect(sources).toContainEqual({});
      } else {
        // Only Prometheus, from the monitoring namespace.
        expect(sources).toEqual([
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
        ]);
      }
      const ports = egress
        .flatMap((policy) => policy.spec?.egress ?? [])
        .flatMap((rule) => rule.ports ?? [])
        .map((port) => port.port);
      expect(ports).toEqual(expect.arrayContaining([53, 5432, 5672, 6379, 443]));
      const allowed = app.metadata.name === 'gateway' ? [80] : [];
      const extra = overlay === 'dev' ? [12111] : [];
      const permitted = [53, 5432, 5672, 5671, 6379, 6380, 443, ...allowed, ...extra];
      expect([
        app.metadata.name,
        ports.filter((port) => !permitted.includes(Number(port))),
      ]).toEqual([app.metadata.name, []]);
    }
  });

  it('scrapes every app and alerts on the dead-letter queues, ingest 5xx, outbox lag and consumer lag with metrics the apps export', () => {
    const monitors = ofKind(objects, ServiceMonitor.is);
    const services = ofKind(objects, Service.is);
    for (const app of APP_NAMES) {
      const service = named(services, app);
      expect(
        monitors.some((monitor) => selects(monitor.spec.selector, service.metadata?.labels ?? {})),
      ).toBe(true);
    }
    const rules: IPrometheusRule = named(ofKind(objects, PrometheusRule.is), 'aegis');
    const alerts = (rules.spec.groups ?? []).flatMap((group) => group.rules ?? []);
    expect(alerts.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        'AegisDeadLetterQueueNotEmpty',
        'AegisIngest5xx',
        'AegisOutboxLag',
        'AegisConsumerLag',
      ]),
    );
    const exported = exportedMetrics();
    expect(exported.size).toBeGreaterThan(5);
    const dashboardMap = ofKind(objects, ConfigMap.is).find(
      (map) => map.metadata?.labels?.grafana_dashboard === '1',
    );
    const dashboard = JSON.parse(dashboardMap?.data?.['aegis.json'] ?? '{}') as {
      panels?: { targets?: { expr: string }[] }[];
    };
    const dashboardExpressions = (dashboard.panels ?? [])
      .flatMap((panel) => panel.targets ?? [])
      .map((t) => t.expr);
    expect(dashboardExpressions.length).toBeGreaterThan(5);
    const used = [...alerts.map((rule) => String(rule.expr)), ...dashboardExpressions].flatMap(
      metricsIn,
    );
    expect(used.length).toBeGreaterThan(5);
    expect(used.filter((metric) => !exported.has(metric))).toEqual([]);
  });

  if (overlay === 'dev') {
    it('runs the sandbox and in-cluster dependencies, and points the apps at the sandbox', () => {
      expect(deployments.map((d) => d.metadata?.name)).toEqual(
        expect.arrayContaining(['stripe-sandbox', 'redis']),
      );
      expect(
        ofKind(objects, StatefulSet.is)
          .map((s) => s.metadata?.name)
          .sort(),
      ).toEqual(['postgres', 'rabbitmq']);
      expect(config.STRIPE_API_URL).toBe('http://stripe-sandbox:12111');
      for (const secret of ofKind(objects, Secret.is))
        for (const value of Object.values(secret.data ?? {})) {
          // Literal secrets are allowed here only with obviously-development values.
          const text = Buffer.from(value, 'base64').toString('utf8');
          expect([
            secret.metadata?.name,
            /dev|development|redis:\/\/redis:6379/.test(text),
          ]).toEqual([secret.metadata?.name, true]);
        }
    });
  } else {
    it('has no sandbox, no Secret and no secret-like setting in git; operators run RabbitMQ and PostgreSQL', () => {
      expect(objects.filter((object) => JSON.stringify(object).includes('sandbox'))).toEqual([]);
      expect(objects.filter((object) => object.kind === 'Secret')).toEqual([]);
      expect(Object.keys(config).filter((key) => /_URL$|_KEY$|SECRET|PASSWORD/.test(key))).toEqual(
        [],
      );
      expect(objects.filter((object) => object.kind === 'StatefulSet')).toEqual([]);

      const rabbitmq = objects.find((object) => object.kind === 'RabbitmqCluster');
      expect(rabbitmq).toMatchObject({ apiVersion: 'rabbitmq.com/v1beta1', spec: { replicas: 3 } });

      const cluster: ICluster = named(ofKind(objects, Cluster.is), 'aegis-postgres');
      expect(cluster.spec.instances).toBe(3);
      const roles = cluster.spec.managed?.roles ?? [];
      const database: IDatabase = named(ofKind(objects, Database.is), 'aegis');
      expect(database.spec.cluster.name).toBe('aegis-postgres');
      // Each app's role owns its schema and nothing else; none is a superuser.
      expect(
        (database.spec.schemas ?? []).map((schema) => [schema.name, schema.owner]).sort(),
      ).toEqual(
        Object.values(APPS)
          .map((schema) => [schema, `aegis_${schema}`])
          .sort(),
      );
      expect(roles.map((role) => role.name).sort()).toEqual(
        Object.values(APPS)
          .map((s) => `aegis_${s}`)
          .sort(),
      );
      for (const role of roles) {
        expect(role).toMatchObject({ login: true, passwordSecret: { name: expect.any(String) } });
        expect([role.superuser, role.createrole, role.createdb, role.bypassrls]).toEqual([
          undefined,
          undefined,
          undefined,
          undefined,
        ]);
      }
    });
  }
});
