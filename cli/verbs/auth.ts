import type { Cli } from '../context.ts';
import { UsageError } from '../failure.ts';
import type { Options, Parsed } from '../flags.ts';
import type { Verb } from './verb.ts';

const options = {
  'all-namespaces': { type: 'boolean', short: 'A' },
  subresource: { type: 'string' },
} as const satisfies Options;

export const auth: Verb<typeof options> = {
  usage: `Inspect authorization: what this token may do, and who it is.

Examples:
  kq auth can-i list pods -n team
  kq auth can-i delete deployments.apps/web
  kq auth can-i list secrets -A
  kq auth whoami

Usage: kq auth can-i VERB RESOURCE[/NAME] [-n NAMESPACE | -A] [--subresource=SUB]
       kq auth whoami

Flags:
  -A, --all-namespaces  ask about every namespace (a cluster-wide grant)
      --subresource     a subresource (status, scale, log, ...)

can-i prints yes or no and exits 0 or 1, as kubectl does.`,
  options,
  run: runAuth,
};

async function runAuth(cli: Cli, { values, positionals }: Parsed<typeof options>): Promise<number> {
  const [what, verb, target] = positionals;
  if (what === 'whoami') {
    const data = await cli
      .client()
      .request<{ whoami: { username: string; groups: string[] } }>('{ whoami { username groups } }');
    cli.out('ATTRIBUTE   VALUE');
    cli.out(`Username    ${data.whoami.username}`);
    cli.out(`Groups      [${data.whoami.groups.join(' ')}]`);
    return 0;
  }
  if (what !== 'can-i' || !verb || !target) {
    throw new UsageError('usage: kq auth can-i VERB RESOURCE[/NAME] [-n NAMESPACE | -A], or kq auth whoami');
  }
  const [resource, name] = target.split('/', 2);
  const data = await cli.client().request<{ canI: boolean }>(
    `query($verb: String!, $resource: String!, $namespace: String, $name: String, $subresource: String) {
      canI(verb: $verb, resource: $resource, namespace: $namespace, name: $name, subresource: $subresource)
    }`,
    {
      verb,
      resource,
      name,
      subresource: values.subresource,
      namespace: values['all-namespaces'] ? undefined : cli.namespace,
    },
  );
  cli.out(data.canI ? 'yes' : 'no');
  return data.canI ? 0 : 1;
}
