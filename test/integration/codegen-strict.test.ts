import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { codegen } from '@graphql-codegen/core';
import * as typedDocumentNode from '@graphql-codegen/typed-document-node';
import * as typescript from '@graphql-codegen/typescript';
import * as typescriptOperations from '@graphql-codegen/typescript-operations';
import {
  buildClientSchema,
  getIntrospectionQuery,
  parse,
  printSchema,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codegenConfig } from '../../client/index.ts';
import { startHollowCluster, type HollowCluster } from '../support/hollow.ts';
import { eventually } from '../support/wait.ts';

/**
 * What an app gets from GraphQL Code Generator pointed at a running cluster with the
 * SDK's `codegenConfig`: types that compile under `tsc --strict`, in which what every
 * stored object has is non-null, enums are unions of their values and scalars are typed.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');

/** Operations as an app would write them. */
const DEPLOYMENT_PODS = `query DeploymentPods($namespace: String, $name: String!) {
  deployment(namespace: $namespace, name: $name) {
    metadata { name uid resourceVersion creationTimestamp generation labels }
    spec { replicas template { metadata { labels } } }
    pods {
      metadata { name namespace }
      spec { restartPolicy containers { name imagePullPolicy resources { limits } } }
      status { phase conditions { type status } }
    }
  }
}`;

const OPERATIONS = `${DEPLOYMENT_PODS}

query ServiceType($namespace: String, $name: String!) {
  service(namespace: $namespace, name: $name) {
    metadata { name }
    spec { type ports { port protocol targetPort } }
  }
}

subscription WatchPods($namespace: String) {
  watchPods(namespace: $namespace) {
    type
    object { metadata { name resourceVersion labels } status { phase } }
  }
}
`;

/** Reads the results as their types say: no `??` for what is always there, no casts. */
const USAGE = `import type { DeploymentPodsQuery, ServiceType, ServiceTypeQuery, WatchPodsSubscription } from './operations';
import type { PodPhase, Scalars } from './schema-types';

type Pod = NonNullable<NonNullable<DeploymentPodsQuery['deployment']>['pods']>[number];

export function podLine(pod: Pod): string {
  const name: string = pod.metadata.name;
  const phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown' = pod.status.phase;
  const running: boolean = phase === 'Running';
  const limits: Scalars['ResourceList']['output'] | null | undefined = pod.spec?.containers[0]?.resources?.limits;
  const quantities: Record<string, string | number> | null | undefined = limits;
  return name + ' ' + phase + ' ' + String(running) + ' ' + JSON.stringify(quantities);
}

export function deploymentLine(data: DeploymentPodsQuery): string {
  const deployment = data.deployment;
  if (!deployment) return 'none';
  const uid: string = deployment.metadata.uid;
  const generation: number = deployment.metadata.generation;
  const app: string | undefined = deployment.metadata.labels?.['app'];
  // An edge is null where the caller may not follow it.
  const pods = deployment.pods;
  if (!pods) return uid + ' pods not readable';
  const phases: PodPhase[] = pods.map((pod) => pod.status.phase);
  return [uid, generation, app, phases.join(','), ...pods.map(podLine)].join(' ');
}

export function exposure(data: ServiceTypeQuery): ServiceType | 'none' {
  const type: ServiceType | null | undefined = data.service?.spec?.type;
  const targets: Array<string | number | null | undefined> | undefined = data.service?.spec?.ports?.map((p) => p.targetPort);
  return targets?.length && type ? type : 'none';
}

export function eventLine(event: WatchPodsSubscription): string {
  const { type, object } = event.watchPods;
  const resourceVersion: string = object.metadata.resourceVersion;
  return type + ' ' + object.metadata.name + ' ' + object.status.phase + ' ' + resourceVersion;
}
`;

/** Must not compile: a phase the API does not have. */
const WRONG = `import type { DeploymentPodsQuery } from './operations';

export function mislabel(data: DeploymentPodsQuery): void {
  for (const pod of data.deployment?.pods ?? []) pod.status.phase = 'Nonsense';
}
`;

async function introspect(cluster: HollowCluster): Promise<GraphQLSchema> {
  const response = await fetch(cluster.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${cluster.token}` },
    body: JSON.stringify({ query: getIntrospectionQuery() }),
  });
  const result = (await response.json()) as { data?: IntrospectionQuery; errors?: unknown };
  expect(result.errors).toBeUndefined();
  return buildClientSchema(result.data!);
}

/** tsc with plain flags over `files` in `dir`: its exit status and what it printed. */
async function compile(dir: string, files: string[]): Promise<{ ok: boolean; output: string }> {
  const flags = ['--strict', '--noEmit', '--skipLibCheck', '--target', 'es2022', '--module', 'nodenext'];
  try {
    await promisify(execFile)(process.execPath, [TSC, ...flags, ...files], { cwd: dir });
    return { ok: true, output: '' };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { ok: false, output: stdout + stderr };
  }
}

describe('types generated from the live endpoint with the SDK codegen config', () => {
  let cluster: HollowCluster;
  let dir: string;
  beforeAll(async () => {
    cluster = await startHollowCluster({ nodes: 1 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-codegen-'));
    // The generated documents import @graphql-typed-document-node/core, as an app's would.
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('compile under tsc --strict, with non-null metadata, enum unions and typed scalars', async () => {
    const schemaAst = await introspect(cluster);
    const schema = parse(printSchema(schemaAst));
    const pluginMap = { typescript, typescriptOperations, typedDocumentNode };
    // The operations' types as client/README.md generates them, and every schema type.
    const operations = await codegen({
      schema,
      schemaAst,
      documents: [{ location: 'operations.graphql', document: parse(OPERATIONS) }],
      filename: 'operations.ts',
      config: codegenConfig,
      plugins: [{ typescriptOperations: {} }, { typedDocumentNode: {} }],
      pluginMap,
    });
    const schemaTypes = await codegen({
      schema,
      schemaAst,
      documents: [],
      filename: 'schema-types.ts',
      config: codegenConfig,
      plugins: [{ typescript: {} }],
      pluginMap,
    });
    fs.writeFileSync(path.join(dir, 'schema-types.ts'), schemaTypes);
    fs.writeFileSync(path.join(dir, 'operations.ts'), operations);
    fs.writeFileSync(path.join(dir, 'usage.ts'), USAGE);
    fs.writeFileSync(path.join(dir, 'wrong.ts'), WRONG);

    // The scalars are mapped, not left `unknown`.
    expect(schemaTypes).toMatch(
      /StringMap: \{ input: Record<string, string>; output: Record<string, string>; \}/,
    );
    expect(schemaTypes).toMatch(/export type PodPhase =\s*\| 'Failed'/);

    const usage = await compile(dir, ['usage.ts', 'schema-types.ts']);
    expect(usage.output).toBe('');
    expect(usage.ok).toBe(true);
    expect(USAGE).not.toContain('??');

    const wrong = await compile(dir, ['wrong.ts']);
    expect(wrong.ok).toBe(false);
    expect(wrong.output).toMatch(
      /wrong\.ts\(4,\d+\): error TS2322: Type '"Nonsense"' is not assignable to type 'PodPhase'/,
    );
  }, 120_000);

  it('answers those operations with what their types promise', async () => {
    await cluster.writer.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'typed', namespace: 'default', labels: { app: 'typed' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'typed' } },
        template: {
          metadata: { labels: { app: 'typed' } },
          spec: { containers: [{ name: 'c', image: 'busybox' }] },
        },
      },
    });
    type Answer = {
      deployment: {
        metadata: { name: string; uid: string; generation: number };
        pods: Array<{ metadata: { name: string }; status: { phase: string } }>;
      };
    };
    const answer = await eventually(
      () => cluster.client.request<Answer>(DEPLOYMENT_PODS, { name: 'typed' }),
      (read) => read.deployment.pods.length === 2,
      { ms: 30_000, what: "the deployment's two pods" },
    );
    expect(answer.deployment.metadata).toMatchObject({ name: 'typed', generation: 1 });
    expect(answer.deployment.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    for (const pod of answer.deployment.pods) {
      expect(pod.metadata.name).toMatch(/^typed-/);
      expect(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']).toContain(pod.status.phase);
    }
  }, 60_000);
});
