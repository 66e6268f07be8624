import type { Cli } from '../context.ts';
import { formatTabs, TABLE } from '../tabwriter.ts';

interface RulesReview {
  resourceRules: Array<{
    verbs: string[];
    apiGroups: string[];
    resources: string[];
    resourceNames: string[];
  }>;
  nonResourceRules: Array<{ verbs: string[]; nonResourceURLs: string[] }>;
}

/**
 * `kq auth can-i --list`: every rule that holds in the namespace, as `kubectl auth can-i --list`
 * prints them: broken down to one resource (as `resource.group`), name or URL a line, the
 * verbs of the same resource and name gathered on one line.
 */
export async function listRules(cli: Cli, namespace: string | undefined): Promise<number> {
  const { rulesReview } = await cli.client().request<{ rulesReview: RulesReview }>(
    `query($namespace: String) {
      rulesReview(namespace: $namespace) {
        resourceRules { verbs apiGroups resources resourceNames }
        nonResourceRules { verbs nonResourceURLs }
      }
    }`,
    { namespace },
  );
  cli.out(formatTabs(rulesTable(rulesReview), TABLE));
  return 0;
}

function rulesTable(review: RulesReview): string {
  const byResource = new Map<string, Set<string>>();
  const gather = (key: string, verbs: string[]) => {
    const found = byResource.get(key) ?? new Set<string>();
    verbs.forEach((verb) => found.add(verb));
    byResource.set(key, found);
  };
  for (const rule of review.resourceRules) {
    for (const group of rule.apiGroups) {
      for (const resource of rule.resources) {
        const combined = group ? `${resource}.${group}` : resource;
        const names = rule.resourceNames.length ? rule.resourceNames : [''];
        for (const name of names) gather(`${combined}\t[]\t[${name}]`, rule.verbs);
      }
    }
  }
  const urls = new Map<string, Set<string>>();
  for (const rule of review.nonResourceRules) {
    for (const url of rule.nonResourceURLs) {
      const found = urls.get(url) ?? new Set<string>();
      rule.verbs.forEach((verb) => found.add(verb));
      urls.set(url, found);
    }
  }
  const lines = ['Resources\tNon-Resource URLs\tResource Names\tVerbs'];
  for (const [key, verbs] of [...byResource].sort(([a], [b]) => a.localeCompare(b)))
    lines.push(`${key}\t[${[...verbs].join(' ')}]`);
  for (const [url, verbs] of [...urls].sort(([a], [b]) => a.localeCompare(b)))
    lines.push(`\t[${url}]\t[]\t[${[...verbs].join(' ')}]`);
  return lines.join('\n') + '\n';
}
