import fs from 'node:fs';
import path from 'node:path';
import type { Resource } from '../../client/types.ts';
import { resourceWriter } from '../../client/writes.ts';
import type { Cli } from '../context.ts';
import { UsageError } from '../failure.ts';
import { intFlag, many, type Options, type Parsed } from '../flags.ts';
import { KubeqlError } from '../../client/errors.ts';
import { kindByKindName, objectRef, qualifiedResource } from '../kinds.ts';
import { readManifests } from '../manifests.ts';
import { checkOutputFormat, formatObjects } from '../printers/output.ts';
import { dryRunMode, dryRunSuffix, manifestKind, placeInNamespace } from './apply.ts';
import { createBootstrapToken } from './create-bootstrap-token.ts';
import { createToken } from './create-token.ts';
import { pairs } from './mutate.ts';
import type { Verb } from './verb.ts';

const options = {
  filename: { type: 'string', short: 'f', multiple: true },
  image: { type: 'string', multiple: true },
  replicas: { type: 'string', short: 'r' },
  port: { type: 'string' },
  'from-literal': { type: 'string', multiple: true },
  'from-file': { type: 'string', multiple: true },
  type: { type: 'string' },
  'dry-run': { type: 'string' },
  output: { type: 'string', short: 'o' },
  duration: { type: 'string' },
  bootstrap: { type: 'boolean' },
} as const satisfies Options;

export const create: Verb<typeof options> = {
  usage: `Create a resource from a file or from arguments.

Examples:
  kq create -f web.yaml
  kq create deployment web --image=nginx:1.25 --replicas=3 --port=80
  kq create namespace staging
  kq create configmap app-config --from-literal=mode=prod --from-file=app.properties
  kq create secret generic db --from-literal=password=s3cret
  kq create token ci --duration=1h
  kq create token --bootstrap

Usage: kq create (-f FILENAME | deployment NAME --image=IMAGE | namespace NAME |
                  configmap NAME [--from-literal=K=V] [--from-file=[KEY=]PATH] |
                  secret generic NAME [--from-literal=K=V] [--from-file=[KEY=]PATH] [--type=TYPE] |
                  token SERVICEACCOUNT [--duration=1h] | token --bootstrap [--duration=24h]) [flags]

Flags:
  -f, --filename      files to create from (repeatable)
      --image         container image (deployment; repeatable)
      --replicas      number of replicas (deployment, default 1)
      --port          container port (deployment)
      --from-literal  KEY=VALUE (configmap, secret; repeatable)
      --from-file     [KEY=]PATH; a directory adds each file (configmap, secret; repeatable)
      --type          secret type (default Opaque)
      --dry-run       client|server|none: validate on the server, store nothing
      --duration      how long a token is valid (token; default 1h, at least 10m; bootstrap 24h)
      --bootstrap     a bootstrap token nodes join with, in kube-system (token)
  -o, --output        yaml|json|name`,
  options,
  run: runCreate,
};

/** kubectl's container name for an image: its last path segment without tag or digest. */
export function containerNameFor(image: string): string {
  const base = image.split('/').pop() ?? image;
  return base
    .split('@')[0]
    .split(':')[0]
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-');
}

async function runCreate(cli: Cli, { values, positionals }: Parsed<typeof options>): Promise<number> {
  if (positionals[0] === 'token' && values.bootstrap) return createBootstrapToken(cli, values.duration);
  if (positionals[0] === 'token') return createToken(cli, positionals[1], values.duration);
  const mode = dryRunMode(values['dry-run']);
  checkOutputFormat(values.output);
  const files = many(values.filename);
  let objects: Resource[];
  if (files.length) {
    const manifests = await readManifests(files, cli.io);
    for (const m of manifests) placeInNamespace(cli, m, manifestKind(m));
    objects = manifests.map((m) => m.object);
  } else {
    objects = [build(cli, values, positionals)];
  }
  const created = await createAll(cli, objects, mode);
  if (values.output)
    cli.io.stdout.write(await formatObjects(created, values.output, created.length === 1, () => ''));
  else
    for (const obj of created)
      cli.out(`${objectRef(kindByKindName(obj.kind)!, obj.metadata.name)} created${dryRunSuffix(mode)}`);
  return 0;
}

/** Creates each object (ALREADY_EXISTS if it is there); a dry run validates it on the server instead. */
export async function createAll(cli: Cli, objects: Resource[], mode: string): Promise<Resource[]> {
  const client = cli.client();
  if (mode !== 'none') {
    for (const obj of objects) {
      const kind = kindByKindName(obj.kind)!;
      const existing = await client.get(
        obj.kind,
        obj.metadata.name!,
        kind.namespaced ? obj.metadata.namespace : undefined,
      );
      if (existing) {
        throw new KubeqlError(
          'ALREADY_EXISTS',
          `${qualifiedResource(kind)} "${obj.metadata.name}" already exists`,
        );
      }
    }
    const data = await client.request<{ apply: Array<{ manifest: Resource }> }>(
      `mutation($m: String!) { apply(manifests: $m, dryRun: true) { manifest } }`,
      { m: JSON.stringify(objects) },
    );
    return data.apply.map((r) => r.manifest);
  }
  const writer = resourceWriter(client);
  const out: Resource[] = [];
  for (const obj of objects) out.push(await writer.create(obj));
  return out;
}

function build(cli: Cli, values: Parsed<typeof options>['values'], positionals: string[]): Resource {
  const [what, ...rest] = positionals;
  if (!what)
    throw new UsageError(
      'must specify one of -f or a resource type: deployment, namespace, configmap, secret generic',
    );
  const ns = cli.namespace;
  switch (what) {
    case 'deployment':
    case 'deploy': {
      const name = required(rest[0], 'deployment');
      const images = many(values.image);
      if (!images.length) throw new UsageError('required flag(s) "image" not set');
      const port = intFlag('port', values.port, 1);
      const labels = { app: name };
      return {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace: ns, labels },
        spec: {
          replicas: intFlag('replicas', values.replicas) ?? 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: images.map((image) => ({
                name: containerNameFor(image),
                image,
                ...(port ? { ports: [{ containerPort: port }] } : {}),
              })),
            },
          },
        },
      };
    }
    case 'namespace':
    case 'ns':
      return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: required(rest[0], 'namespace') } };
    case 'configmap':
    case 'cm': {
      const name = required(rest[0], 'configmap');
      return {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace: ns },
        data: sourceData(cli, values, false),
      };
    }
    case 'secret': {
      if (rest[0] !== 'generic')
        throw new UsageError('kq create secret supports "generic" only: kq create secret generic NAME');
      const name = required(rest[1], 'secret');
      return {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace: ns },
        type: values.type ?? 'Opaque',
        data: sourceData(cli, values, true),
      };
    }
    default:
      throw new UsageError(
        `unknown resource for create: "${what}" (deployment, namespace, configmap, secret generic)`,
      );
  }
}

const required = (name: string | undefined, what: string) => {
  if (!name) throw new UsageError(`NAME is required for ${what}`);
  return name;
};

/** --from-literal and --from-file as data keys; base64 for a Secret. */
function sourceData(
  cli: Cli,
  values: Parsed<typeof options>['values'],
  base64: boolean,
): Record<string, string> {
  const data: Record<string, string> = {};
  const put = (key: string, value: Buffer | string) => {
    if (Object.hasOwn(data, key))
      throw new Error(`cannot add key ${key}, another key by that name already exists`);
    const buffer = Buffer.isBuffer(value) ? value : Buffer.from(value);
    data[key] = base64 ? buffer.toString('base64') : buffer.toString('utf8');
  };
  for (const [key, value] of pairs(many(values['from-literal']), '--from-literal')) put(key, value);
  for (const spec of many(values['from-file'])) {
    const eq = spec.indexOf('=');
    const [key, file] = eq > 0 ? [spec.slice(0, eq), spec.slice(eq + 1)] : [undefined, spec];
    const full = path.resolve(cli.io.cwd, file);
    if (!fs.existsSync(full)) throw new Error(`error reading ${file}: no such file or directory`);
    if (fs.statSync(full).isDirectory()) {
      for (const entry of fs.readdirSync(full, { withFileTypes: true })) {
        if (entry.isFile()) put(entry.name, fs.readFileSync(path.join(full, entry.name)));
      }
    } else put(key ?? path.basename(file), fs.readFileSync(full));
  }
  return data;
}
