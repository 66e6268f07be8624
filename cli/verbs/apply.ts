import { isDeepStrictEqual } from 'node:util';
import type { Resource } from '../../client/types.ts';
import { noMatchesForVersion } from '../../schema/kind-versions.ts';
import { isServedVersion } from '../../schema/kinds/index.ts';
import type { Cli } from '../context.ts';
import { UsageError } from '../failure.ts';
import { many, type Options, type Parsed } from '../flags.ts';
import { kindByKindName, objectRef, type Kind } from '../kinds.ts';
import { readManifests, type Manifest } from '../manifests.ts';
import { checkOutputFormat, formatObjects } from '../printers/output.ts';
import type { Verb } from './verb.ts';

const options = {
  filename: { type: 'string', short: 'f', multiple: true },
  recursive: { type: 'boolean', short: 'R' },
  'dry-run': { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const satisfies Options;

export const apply: Verb<typeof options> = {
  usage: `Create or update resources from manifests: every object is created when missing and
updated otherwise, all in one transaction (all or none).

Examples:
  kq apply -f web.yaml
  kq apply -f manifests/ -R
  cat web.yaml | kq apply -f -
  kq apply -f web.yaml --dry-run=server -o yaml

Usage: kq apply -f FILENAME [flags]

Flags:
  -f, --filename   file, directory, URL or - for stdin (repeatable)
  -R, --recursive  read directories' subdirectories too
      --dry-run    client|server|none: validate and default on the server, store nothing
  -o, --output     yaml|json|name`,
  options,
  run: async (cli, args) => applyManifests(cli, args),
};

export function dryRunMode(value: unknown): 'none' | 'client' | 'server' {
  const mode = value === undefined ? 'none' : String(value);
  if (mode !== 'none' && mode !== 'client' && mode !== 'server') {
    throw new UsageError(`Invalid dry-run value (${mode}). Must be "none", "server", or "client".`);
  }
  return mode;
}

export const dryRunSuffix = (mode: string) =>
  mode === 'server' ? ' (server dry run)' : mode === 'client' ? ' (dry run)' : '';

/**
 * The namespace each object goes to: its own, else -n's (or the default); -n and a
 * different namespace in the file is an error, as kubectl makes it.
 */
export function placeInNamespace(cli: Cli, manifest: Manifest, kind: Kind): void {
  const meta = manifest.object.metadata;
  if (!kind.namespaced) {
    delete meta.namespace;
    return;
  }
  if (meta.namespace && cli.namespaceExplicit && meta.namespace !== cli.namespace) {
    throw new Error(
      `the namespace from the provided object "${meta.namespace}" does not match the namespace "${cli.namespace}". You must pass '--namespace=${meta.namespace}' to perform this operation.`,
    );
  }
  meta.namespace ??= cli.namespace;
}

/** The kind of a manifest's object, or kubectl's error for a kind the server lacks. */
export function manifestKind(manifest: Manifest): Kind {
  const kind = kindByKindName(manifest.object.kind);
  // A converted version (autoscaling/v1 HorizontalPodAutoscalers) is sent as written: the server converts it.
  if (!kind || !isServedVersion(manifest.object.kind, manifest.object.apiVersion)) {
    throw new Error(
      `resource mapping not found for name: "${manifest.object.metadata.name ?? ''}" namespace: "${manifest.object.metadata.namespace ?? ''}" from "${manifest.source}": ${noMatchesForVersion(manifest.object.kind, manifest.object.apiVersion, kind?.apiVersion)}`,
    );
  }
  return kind;
}

/** Nothing to write: the same version, or (a dry run, which has none) the same content. */
function unchanged(before: Resource, after: Resource): boolean {
  if (before.metadata.resourceVersion === after.metadata.resourceVersion) return true;
  const strip = (obj: Resource) => ({ ...obj, metadata: { ...obj.metadata, resourceVersion: undefined } });
  return isDeepStrictEqual(strip(before), strip(after));
}

const APPLY = `mutation Apply($manifests: String!, $dryRun: Boolean) {
  apply(manifests: $manifests, dryRun: $dryRun) { manifest }
}`;

async function applyManifests(cli: Cli, { values, positionals }: Parsed<typeof options>): Promise<number> {
  const files = many(values.filename);
  if (!files.length) throw new UsageError('must specify one of -f and -k');
  if (positionals.length) throw new UsageError(`unexpected args: [${positionals.join(' ')}]`);
  const mode = dryRunMode(values['dry-run']);
  const format: string | undefined = values.output;
  checkOutputFormat(format);
  const manifests = await readManifests(files, cli.io, values.recursive === true);
  if (!manifests.length) throw new Error('no objects passed to apply');
  const kinds = manifests.map((m) => {
    const kind = manifestKind(m);
    placeInNamespace(cli, m, kind);
    return kind;
  });

  const client = cli.client();
  // What was there before tells created from configured from unchanged.
  const before = await Promise.all(
    manifests.map((m, i) =>
      m.object.metadata.name
        ? client.get(
            kinds[i].kind,
            m.object.metadata.name,
            kinds[i].namespaced ? m.object.metadata.namespace : undefined,
          )
        : null,
    ),
  );
  const { apply: results } = await client.request<{ apply: Array<{ manifest: Resource }> }>(APPLY, {
    manifests: JSON.stringify(manifests.map((m) => m.object)),
    dryRun: mode !== 'none',
  });
  const applied = results.map((r) => r.manifest);
  if (format) {
    cli.io.stdout.write(await formatObjects(applied, format, applied.length === 1, () => ''));
    return 0;
  }
  applied.forEach((obj, i) => {
    const old = before[i];
    const verb = !old ? 'created' : unchanged(old, obj) ? 'unchanged' : 'configured';
    cli.out(`${objectRef(kinds[i], obj.metadata.name)} ${verb}${dryRunSuffix(mode)}`);
  });
  return 0;
}
