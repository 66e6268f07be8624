import type { Cli } from '../context.ts';
import type { Options, Parsed } from '../flags.ts';
import { ALL_KINDS, groupOf } from '../kinds.ts';
import { formatTabs, TABLE } from '../tabwriter.ts';
import type { Verb } from './verb.ts';

const options = {
  namespaced: { type: 'string' },
  output: { type: 'string', short: 'o' },
  'no-headers': { type: 'boolean' },
} as const satisfies Options;

export const apiResources: Verb<typeof options> = {
  usage: `Print the resource types the API serves, with their short names.

Usage: kq api-resources [flags]

Flags:
      --namespaced=BOOL  only namespaced (true) or cluster-scoped (false) kinds
  -o, --output           name: only the names
      --no-headers       no header line`,
  options,
  run: async (cli: Cli, { values }: Parsed<typeof options>) => {
    let kinds = [...ALL_KINDS].sort(
      (a, b) => groupOf(a).localeCompare(groupOf(b)) || a.plural.localeCompare(b.plural),
    );
    if (values.namespaced !== undefined)
      kinds = kinds.filter((k) => String(k.namespaced) === String(values.namespaced));
    if (values.output === 'name') {
      for (const k of kinds) cli.out(groupOf(k) ? `${k.plural}.${groupOf(k)}` : k.plural);
      return 0;
    }
    const rows = kinds.map((k) => [
      k.plural,
      k.shortNames.join(','),
      k.apiVersion,
      String(k.namespaced),
      k.kind,
    ]);
    const header = values['no-headers'] ? [] : [['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']];
    cli.io.stdout.write(formatTabs(`${[...header, ...rows].map((r) => r.join('\t')).join('\n')}\n`, TABLE));
    return 0;
  },
};
