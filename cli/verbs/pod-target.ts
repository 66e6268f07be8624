import type { Cli } from '../context.ts';
import { UsageError } from '../failure.ts';
import { kindOf, notFound } from '../kinds.ts';
import { field, type PodObject } from '../../schema/columns/objects.ts';

/**
 * The pod a logs or exec command means: `POD`, `pod/POD`, or a workload (`deploy/web`)
 * whose first pod kubectl would pick; and the container, defaulted as kubectl does
 * (the kubectl.kubernetes.io/default-container annotation, else the first) with its
 * "Defaulted container" note on stderr.
 */
export async function podTarget(
  cli: Cli,
  arg: string,
  container: string | undefined,
): Promise<{ pod: PodObject; container: string }> {
  const client = cli.client();
  let pod: PodObject | null | undefined;
  if (arg.includes('/')) {
    const [type, name] = arg.split('/', 2);
    const kind = kindOf(type);
    if (kind.kind === 'Pod') pod = await client.get<PodObject>('Pod', name, cli.namespace);
    else {
      const owner = await client.get(kind.kind, name, cli.namespace);
      if (!owner) throw notFound(kind, name);
      // A workload's selector has matchLabels; a Service's is the labels themselves.
      const labels = field(owner, 'spec.selector.matchLabels') ?? field(owner, 'spec.selector');
      if (!labels || typeof labels !== 'object') throw new UsageError(`cannot find the pods of ${arg}`);
      const selector = Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      // Page by page, stopping at the first running pod: a workload of thousands of pods
      // needs no more than a page read to pick one.
      let first: PodObject | undefined;
      let token: string | undefined;
      do {
        const page = await client.list<PodObject>('Pod', {
          namespace: cli.namespace,
          labelSelector: selector,
          continue: token,
        });
        first ??= page.items[0];
        pod = page.items.find((p) => p.status?.phase === 'Running');
        token = page.continue;
      } while (!pod && token);
      pod ??= first;
      if (!pod) throw new Error(`no pods found for ${arg}`);
    }
    if (!pod) throw notFound(kindOf('pod'), name);
  } else {
    pod = await client.get<PodObject>('Pod', arg, cli.namespace);
    if (!pod) throw notFound(kindOf('pod'), arg);
  }
  return { pod, container: container ?? defaultContainer(cli, pod) };
}

export function defaultContainer(cli: Cli, pod: PodObject): string {
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  const annotated = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  const chosen = annotated && names.includes(annotated) ? annotated : names[0];
  if (names.length > 1 && !annotated) cli.err(`Defaulted container "${chosen}" out of: ${names.join(', ')}`);
  return chosen;
}
