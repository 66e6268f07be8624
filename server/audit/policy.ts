import fs from 'node:fs';
import { parse as parseYaml } from 'yaml';

export const LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'] as const;
export type Level = (typeof LEVELS)[number];

export const STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const;
export type Stage = (typeof STAGES)[number];

export interface GroupResources {
  group?: string;
  resources?: string[];
  resourceNames?: string[];
}

/** One rule of an audit.k8s.io/v1 Policy; an empty or absent list matches everything. */
export interface PolicyRule {
  level: Level;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: Stage[];
}

export interface Policy {
  rules: PolicyRule[];
  omitStages?: Stage[];
}

/** What a policy is asked about: who did what to which resource, or to which path. */
export interface PolicyAttributes {
  user: string;
  groups: readonly string[];
  verb: string;
  /** For a resource request; absent for a path outside the resources (`/healthz`). */
  resource?: { apiGroup: string; resource: string; subresource?: string; namespace?: string; name?: string };
  path: string;
}

export interface PolicyDecision {
  level: Level;
  omitStages: readonly Stage[];
}

/**
 * Without a policy file: Metadata for every request (who, what, when, the outcome, never a
 * body) but probes and reads of Events, whose volume would drown what matters: kubelets and
 * load balancers poll health every few seconds, and Events are read constantly by
 * dashboards yet say nothing about who changed the cluster. Writes of Events stay.
 */
export const DEFAULT_POLICY: Policy = {
  omitStages: ['RequestReceived'],
  rules: [
    { level: 'None', nonResourceURLs: ['/healthz*', '/livez*', '/readyz*'] },
    {
      level: 'None',
      verbs: ['get', 'list', 'watch'],
      resources: [
        { group: '', resources: ['events'] },
        { group: 'events.k8s.io', resources: ['events'] },
      ],
    },
    { level: 'Metadata' },
  ],
};

/**
 * Resources whose bodies hold credentials: audited at Metadata at most whatever the
 * policy says, as Kubernetes recommends, so that no rule can write a Secret's data or an
 * issued token to the log.
 */
const CREDENTIAL_RESOURCES = new Set([
  '/secrets',
  '/serviceaccounts/token',
  'authentication.k8s.io/tokenreviews',
]);

/** The level and omitted stages of a request: the first matching rule's, None when none matches. */
export function decide(policy: Policy, attrs: PolicyAttributes): PolicyDecision {
  const rule = policy.rules.find((candidate) => ruleMatches(candidate, attrs));
  if (!rule) return { level: 'None', omitStages: [] };
  const omitStages = [...(policy.omitStages ?? []), ...(rule.omitStages ?? [])];
  const level = rule.level !== 'None' && carriesCredentials(attrs) ? 'Metadata' : rule.level;
  return { level, omitStages };
}

/** Whether the request's bodies may hold credentials (never written past Metadata). */
export function carriesCredentials(attrs: Pick<PolicyAttributes, 'resource'>): boolean {
  const r = attrs.resource;
  if (!r) return false;
  const combined = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  return (
    CREDENTIAL_RESOURCES.has(`${r.apiGroup}/${combined}`) ||
    CREDENTIAL_RESOURCES.has(`${r.apiGroup}/${r.resource}`)
  );
}

function ruleMatches(rule: PolicyRule, attrs: PolicyAttributes): boolean {
  if (rule.users?.length && !rule.users.includes(attrs.user)) return false;
  if (rule.userGroups?.length && !rule.userGroups.some((group) => attrs.groups.includes(group))) return false;
  if (rule.verbs?.length && !rule.verbs.includes(attrs.verb)) return false;
  if (attrs.resource) return !rule.nonResourceURLs?.length && matchesResource(rule, attrs.resource);
  return !rule.resources?.length && !rule.namespaces?.length && matchesPath(rule, attrs.path);
}

function matchesResource(rule: PolicyRule, r: NonNullable<PolicyAttributes['resource']>): boolean {
  if (rule.namespaces?.length && !rule.namespaces.includes(r.namespace ?? '')) return false;
  if (!rule.resources?.length) return true;
  const combined = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  return rule.resources.some((gr) => {
    if ((gr.group ?? '') !== r.apiGroup) return false;
    if (!gr.resources?.length) return true;
    if (gr.resourceNames?.length && !(r.name !== undefined && gr.resourceNames.includes(r.name)))
      return false;
    return gr.resources.some(
      (res) =>
        res === '*' ||
        res === combined ||
        (r.subresource !== undefined && res === `*/${r.subresource}`) ||
        (r.subresource !== undefined && res === `${r.resource}/*`),
    );
  });
}

function matchesPath(rule: PolicyRule, path: string): boolean {
  if (!rule.nonResourceURLs?.length) return true;
  return rule.nonResourceURLs.some(
    (url) => url === '*' || (url.endsWith('*') ? path.startsWith(url.slice(0, -1)) : path === url),
  );
}

/** Reads a Policy (YAML or JSON), with an error naming the file and the field at fault. */
export function loadPolicy(file: string): Policy {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`audit policy ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    return parsePolicy(parseYaml(text));
  } catch (error) {
    throw new Error(`audit policy ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Validates a decoded audit.k8s.io/v1 Policy. */
export function parsePolicy(doc: unknown): Policy {
  if (!isObject(doc)) throw new Error('not an object');
  if (doc.kind !== 'Policy') throw new Error(`kind must be Policy, not ${JSON.stringify(doc.kind)}`);
  if (typeof doc.apiVersion !== 'string' || !doc.apiVersion.startsWith('audit.k8s.io/'))
    throw new Error('apiVersion must be audit.k8s.io/v1');
  if (!Array.isArray(doc.rules)) throw new Error('rules: a list is required');
  return {
    omitStages: stages(doc.omitStages, 'omitStages'),
    rules: doc.rules.map((rule, i) => parseRule(rule, `rules[${i}]`)),
  };
}

function parseRule(rule: unknown, at: string): PolicyRule {
  if (!isObject(rule)) throw new Error(`${at}: not an object`);
  if (!LEVELS.includes(rule.level as Level))
    throw new Error(`${at}.level: one of ${LEVELS.join(', ')}, not ${JSON.stringify(rule.level)}`);
  const resources = rule.resources === undefined ? undefined : list(rule.resources, `${at}.resources`);
  return {
    level: rule.level as Level,
    users: strings(rule.users, `${at}.users`),
    userGroups: strings(rule.userGroups, `${at}.userGroups`),
    verbs: strings(rule.verbs, `${at}.verbs`),
    namespaces: strings(rule.namespaces, `${at}.namespaces`),
    nonResourceURLs: strings(rule.nonResourceURLs, `${at}.nonResourceURLs`),
    omitStages: stages(rule.omitStages, `${at}.omitStages`),
    resources: resources?.map((gr, i) => {
      const where = `${at}.resources[${i}]`;
      if (!isObject(gr)) throw new Error(`${where}: not an object`);
      if (gr.group !== undefined && typeof gr.group !== 'string') throw new Error(`${where}.group: a string`);
      return {
        group: gr.group,
        resources: strings(gr.resources, `${where}.resources`),
        resourceNames: strings(gr.resourceNames, `${where}.resourceNames`),
      };
    }),
  };
}

function stages(value: unknown, at: string): Stage[] | undefined {
  const names = strings(value, at);
  const unknown = names?.find((name) => !STAGES.includes(name as Stage));
  if (unknown) throw new Error(`${at}: unknown stage ${JSON.stringify(unknown)}`);
  return names as Stage[] | undefined;
}

function strings(value: unknown, at: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = list(value, at);
  if (!items.every((item) => typeof item === 'string')) throw new Error(`${at}: a list of strings`);
  return items as string[];
}

function list(value: unknown, at: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${at}: a list`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
