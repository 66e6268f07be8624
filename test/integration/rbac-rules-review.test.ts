import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kq } from '../support/cli.ts';
import { startCluster, type TestCluster } from '../support/harness.ts';
import { rbacCallers } from '../support/rbac-callers.ts';

// What a caller may do, listed (SelfSubjectRulesReview over REST, rulesReview over GraphQL,
// `kq auth can-i --list`) from the authorizer that decides every request; and the paths
// outside the resources, granted by nonResourceURLs as Kubernetes' default roles grant them.

let cluster: TestCluster;
let callers: ReturnType<typeof rbacCallers>;
/** Reads pods in `rules` (a Role) and nodes everywhere (a ClusterRole). */
let reader: string;
/** No role of its own: only what every authenticated caller holds. */
let nobody: string;

const REVIEWS = '/apis/authorization.k8s.io/v1';

beforeAll(async () => {
  cluster = await startCluster();
  callers = rbacCallers(cluster);
  await cluster.ok(`mutation {
    ns: createNamespace(namespace: { metadata: { name: "rules" } }) { kind }
    role: createRole(namespace: "rules", role: { metadata: { name: "pods" }, rules: [{ apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list"] }] }) { kind }
    rb: createRoleBinding(namespace: "rules", roleBinding: { metadata: { name: "reader" }, roleRef: { kind: "Role", name: "pods" }, subjects: [{ kind: "ServiceAccount", name: "reader", namespace: "rules" }] }) { kind }
    cr: createClusterRole(clusterRole: { metadata: { name: "node-reader" }, rules: [{ apiGroups: [""], resources: ["nodes"], resourceNames: ["n1"], verbs: ["get"] }, { nonResourceURLs: ["/metrics"], verbs: ["get"] }] }) { kind }
    crb: createClusterRoleBinding(clusterRoleBinding: { metadata: { name: "reader-nodes" }, roleRef: { kind: "ClusterRole", name: "node-reader" }, subjects: [{ kind: "ServiceAccount", name: "reader", namespace: "rules" }] }) { kind }
  }`);
  reader = await callers.tokenOf('rules', 'reader');
  nobody = await callers.tokenOf('rules', 'nobody');
});

afterAll(async () => {
  await callers?.dispose();
  await cluster?.stop();
});

const BASIC_USER = [
  {
    verbs: ['create'],
    apiGroups: ['authorization.k8s.io'],
    resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
  },
  { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
];

describe('SelfSubjectRulesReview', () => {
  it('lists the rules of the namespace’s RoleBindings and of the ClusterRoleBindings, over REST', async () => {
    const review = await callers.restAs(reader, 'POST', `${REVIEWS}/selfsubjectrulesreviews`, {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectRulesReview',
      spec: { namespace: 'rules' },
    });
    expect(review.status).toBe(201);
    expect(review.body).toMatchObject({ kind: 'SelfSubjectRulesReview', spec: { namespace: 'rules' } });
    const { resourceRules, nonResourceRules, incomplete } = review.body.status;
    expect(incomplete).toBe(false);
    expect(resourceRules).toEqual(
      expect.arrayContaining([
        ...BASIC_USER,
        { verbs: ['get'], apiGroups: [''], resources: ['nodes'], resourceNames: ['n1'] },
        { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'pods/log'] },
      ]),
    );
    expect(resourceRules).toHaveLength(4);
    expect(nonResourceRules).toEqual(
      expect.arrayContaining([
        { verbs: ['get'], nonResourceURLs: ['/metrics'] },
        expect.objectContaining({
          nonResourceURLs: expect.arrayContaining(['/api', '/apis/*', '/openapi/*']),
        }),
      ]),
    );
    // Elsewhere the Role does not hold.
    const other = await callers.restAs(reader, 'POST', `${REVIEWS}/selfsubjectrulesreviews`, {
      spec: { namespace: 'default' },
    });
    expect(other.body.status.resourceRules).not.toContainEqual(
      expect.objectContaining({ resources: ['pods', 'pods/log'] }),
    );
  });

  it('answers the same over GraphQL (rulesReview), and a cluster admin holds everything', async () => {
    const result = await callers.gqlAs(
      reader,
      '{ rulesReview(namespace: "rules") { resourceRules { verbs apiGroups resources resourceNames } nonResourceRules { verbs nonResourceURLs } incomplete } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.rulesReview.resourceRules).toContainEqual({
      verbs: ['get', 'list'],
      apiGroups: [''],
      resources: ['pods', 'pods/log'],
      resourceNames: [],
    });
    expect(result.data.rulesReview.nonResourceRules).toContainEqual({
      verbs: ['get'],
      nonResourceURLs: ['/metrics'],
    });
    const admin = await cluster.ok('{ rulesReview { resourceRules { verbs apiGroups resources } } }');
    expect(admin.rulesReview.resourceRules).toEqual([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]);
  });

  it('is what kq auth can-i --list prints, as kubectl does', async () => {
    const result = await kq({ url: cluster.url, token: reader }, ['auth', 'can-i', '--list', '-n', 'rules']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/);
    expect(lines).toContainEqual(expect.stringMatching(/^pods\s+\[\]\s+\[\]\s+\[get list\]$/));
    expect(lines).toContainEqual(expect.stringMatching(/^pods\/log\s+\[\]\s+\[\]\s+\[get list\]$/));
    expect(lines).toContainEqual(expect.stringMatching(/^nodes\s+\[\]\s+\[n1\]\s+\[get\]$/));
    expect(lines).toContainEqual(
      expect.stringMatching(/^selfsubjectrulesreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^\s+\[\/metrics\]\s+\[\]\s+\[get\]$/));
  });
});

describe('paths outside the resources', () => {
  it('are discovery, OpenAPI and version for a token with no role of its own', async () => {
    for (const path of ['/api', '/api/v1', '/apis', '/apis/apps/v1', '/version', '/openapi/v3']) {
      expect((await callers.restAs(nobody, 'GET', path)).status, path).toBe(200);
    }
  });

  it('are not /metrics without a rule for it: 403 with a token, 401 without', async () => {
    const refused = await callers.restAs(nobody, 'GET', '/metrics');
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('User "system:serviceaccount:rules:nobody" cannot get path "/metrics"');
    expect((await callers.restAs(undefined, 'GET', '/metrics')).status).toBe(401);
    const granted = await callers.restAs(reader, 'GET', '/metrics');
    expect(granted.status).toBe(200);
    expect(granted.body).toMatch(/^kubeql_store_revision \d+$/m);
  });

  it('are refused when the rules granting them are gone, and answered by SelfSubjectAccessReview alike', async () => {
    const ask = async (path: string) =>
      (
        await callers.restAs(nobody, 'POST', `${REVIEWS}/selfsubjectaccessreviews`, {
          spec: { nonResourceAttributes: { verb: 'get', path } },
        })
      ).body.status.allowed;
    expect(await ask('/apis/apps')).toBe(true);
    expect(await ask('/metrics')).toBe(false);
    await cluster.ok('mutation { deleteClusterRoleBinding(name: "system:discovery") { kind } }');
    try {
      expect(await ask('/apis/apps')).toBe(false);
      const refused = await callers.restAs(nobody, 'GET', '/apis');
      expect(refused.status).toBe(403);
      expect(refused.body.message).toBe(
        'forbidden: User "system:serviceaccount:rules:nobody" cannot get path "/apis"',
      );
      // Version and health stay public (system:public-info-viewer).
      expect((await callers.restAs(nobody, 'GET', '/version')).status).toBe(200);
    } finally {
      await cluster.ok(`mutation { createClusterRoleBinding(clusterRoleBinding: {
        metadata: { name: "system:discovery" },
        roleRef: { kind: "ClusterRole", name: "system:discovery" },
        subjects: [{ kind: "Group", name: "system:authenticated" }]
      }) { kind } }`);
    }
  });
});
