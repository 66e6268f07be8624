import type { Cli } from '../context.ts';
import { UsageError } from '../failure.ts';
import type { Options, Parsed } from '../flags.ts';
import { listRules } from './auth-rules.ts';
import type { Verb } from './verb.ts';

const options = {
  'all-namespaces': { type: 'boolean', short: 'A' },
  subresource: { type: 'string' },
  list: { type: 'boolean' },
} as const satisfies Options;

export const auth: Verb<typeof options> = {
  usage: `Inspect authorization: what this token may do, and who it is.

Examples:
  kq auth can-i list pods -n team
  kq auth can-i delete deployments.apps/web
  kq auth can-i list secrets -A
  kq auth can-i --list -n team
  kq auth whoami

Usage: kq auth can-i VERB RESOURCE[/NAME] [-n NAMESPACE | -A] [--subresource=SUB]
       kq auth can-i --list [-n NAMESPACE | -A]
       kq auth whoami

Flags:
  -A, --all-namespaces  ask about every namespace (a cluster-wide grant)
      --subresource     a subresource (status, scale, log, ...)
      --list            list everything this token may do in the namespace

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
  const namespace = values['all-namespaces'] ? undefined : cli.namespace;
  if (what === 'can-i' && values.list) {
    if (verb) throw new UsageError('kq auth can-i --list takes no VERB or RESOURCE');
    return listRules(cli, namespace);
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
      namespace,
    },
  );
  cli.out(data.canI ? 'yes' : 'no');
  return data.canI ? 0 : 1;
}
