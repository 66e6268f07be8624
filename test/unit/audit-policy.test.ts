import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_POLICY, decide, parsePolicy, type PolicyAttributes } from '../../server/audit/policy.ts';

const alice = { user: 'alice', groups: ['system:authenticated', 'dev'] };

function resource(
  verb: string,
  apiGroup: string,
  plural: string,
  more: Partial<NonNullable<PolicyAttributes['resource']>> = {},
): PolicyAttributes {
  return { ...alice, verb, path: '/api', resource: { apiGroup, resource: plural, ...more } };
}

function path(verb: string, url: string): PolicyAttributes {
  return { ...alice, verb, path: url };
}

const POLICY = parsePolicy(
  parseYaml(`
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    users: [system:kube-proxy]
    verbs: [watch]
  - level: None
    userGroups: [system:nodes]
    resources: [{ group: "", resources: [nodes/status] }]
  - level: RequestResponse
    resources:
      - group: ""
        resources: [configmaps]
        resourceNames: [audited]
  - level: Request
    namespaces: [prod]
    verbs: [create, update, patch, delete]
    omitStages: [ResponseStarted]
  - level: Metadata
    resources: [{ group: apps, resources: ["*/scale"] }, { group: batch, resources: ["jobs/*"] }]
  - level: None
    nonResourceURLs: [/healthz*, /version]
  - level: Request
    resources: [{ group: "" }]
`),
);

describe('audit policy: the first matching rule gives the level', () => {
  it('matches users, groups and verbs', () => {
    const proxy = { user: 'system:kube-proxy', groups: [] };
    expect(decide(POLICY, { ...resource('watch', '', 'endpoints'), ...proxy }).level).toBe('None');
    expect(decide(POLICY, { ...resource('list', '', 'endpoints'), ...proxy }).level).toBe('Request');
    const node = { user: 'system:node:a', groups: ['system:nodes'] };
    expect(
      decide(POLICY, { ...resource('update', '', 'nodes', { subresource: 'status' }), ...node }).level,
    ).toBe('None');
    expect(decide(POLICY, { ...resource('update', '', 'nodes'), ...node }).level).toBe('Request');
  });

  it('matches resource names, namespaces, subresource wildcards and groups', () => {
    expect(decide(POLICY, resource('get', '', 'configmaps', { name: 'audited' })).level).toBe(
      'RequestResponse',
    );
    expect(decide(POLICY, resource('get', '', 'configmaps', { name: 'other' })).level).toBe('Request');
    expect(decide(POLICY, resource('create', 'apps', 'deployments', { namespace: 'prod' })).level).toBe(
      'Request',
    );
    expect(decide(POLICY, resource('get', 'apps', 'deployments', { namespace: 'prod' })).level).toBe('None');
    expect(decide(POLICY, resource('update', 'apps', 'deployments', { subresource: 'scale' })).level).toBe(
      'Metadata',
    );
    expect(decide(POLICY, resource('update', 'apps', 'deployments', { subresource: 'status' })).level).toBe(
      'None',
    );
    expect(decide(POLICY, resource('create', 'batch', 'jobs', { subresource: 'status' })).level).toBe(
      'Metadata',
    );
    expect(decide(POLICY, resource('create', 'batch', 'jobs')).level).toBe('None');
  });

  it('matches paths outside the resources by nonResourceURLs only, with a trailing *', () => {
    expect(decide(POLICY, path('get', '/healthz/ping')).level).toBe('None');
    expect(decide(POLICY, path('get', '/version')).level).toBe('None');
    expect(decide(POLICY, path('get', '/versions')).level).toBe('None');
    // The last rule names resources, so it does not match a path: no rule does, and that is None.
    expect(decide(POLICY, path('post', '/graphql'))).toEqual({ level: 'None', omitStages: [] });
  });

  it('joins the policy omitStages with the rule', () => {
    expect(decide(POLICY, resource('delete', '', 'pods', { namespace: 'prod' })).omitStages).toEqual([
      'RequestReceived',
      'ResponseStarted',
    ]);
  });

  it('never gives credentials more than Metadata, whatever the rule', () => {
    const everything = parsePolicy({
      apiVersion: 'audit.k8s.io/v1',
      kind: 'Policy',
      rules: [{ level: 'RequestResponse' }],
    });
    expect(decide(everything, resource('create', '', 'secrets', { namespace: 'a' })).level).toBe('Metadata');
    expect(
      decide(everything, resource('create', '', 'serviceaccounts', { subresource: 'token' })).level,
    ).toBe('Metadata');
    expect(decide(everything, resource('create', 'authentication.k8s.io', 'tokenreviews')).level).toBe(
      'Metadata',
    );
    expect(decide(everything, resource('create', '', 'serviceaccounts')).level).toBe('RequestResponse');
    expect(decide(everything, resource('create', '', 'configmaps')).level).toBe('RequestResponse');
  });

  it('by default, writes Metadata for all but probes and reads of Events', () => {
    expect(decide(DEFAULT_POLICY, path('get', '/readyz')).level).toBe('None');
    expect(decide(DEFAULT_POLICY, path('get', '/livez')).level).toBe('None');
    expect(decide(DEFAULT_POLICY, path('get', '/metrics')).level).toBe('Metadata');
    expect(decide(DEFAULT_POLICY, resource('list', '', 'events')).level).toBe('None');
    expect(decide(DEFAULT_POLICY, resource('watch', 'events.k8s.io', 'events')).level).toBe('None');
    expect(decide(DEFAULT_POLICY, resource('create', '', 'events')).level).toBe('Metadata');
    expect(decide(DEFAULT_POLICY, resource('get', '', 'secrets')).level).toBe('Metadata');
  });

  it('refuses a malformed policy, naming the field', () => {
    const policy = (rules: unknown) => () =>
      parsePolicy({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules });
    expect(policy([{ level: 'Everything' }])).toThrow(/rules\[0\]\.level: one of None, Metadata/);
    expect(policy([{ level: 'None', verbs: 'get' }])).toThrow('rules[0].verbs: a list');
    expect(policy([{ level: 'None', omitStages: ['Later'] }])).toThrow('unknown stage "Later"');
    expect(() => parsePolicy({ apiVersion: 'v1', kind: 'Policy', rules: [] })).toThrow('audit.k8s.io/v1');
  });
});
