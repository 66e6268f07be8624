import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster, type Untyped } from '../support/harness.ts';
import { rbacCallers } from '../support/rbac-callers.ts';
import { eventually } from '../support/wait.ts';

// The names of custom resources: a definition whose names another one (or a built-in
// kind) has is not accepted and not served, as Kubernetes' naming controller decides; and
// custom resources' names resolve in `can-i` and in the audit log as built-in ones do.

type Json = { [key: string]: Untyped };

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

function crd(group: string, names: Json): Json {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${names.plural}.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names,
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
            },
          },
        },
      ],
    },
  };
}

const GADGETS = crd('names.example.com', { plural: 'gadgets', kind: 'Gadget', shortNames: ['gd'] });

let cluster: TestCluster;
let callers: ReturnType<typeof rbacCallers>;

beforeAll(async () => {
  cluster = await startCluster();
  callers = rbacCallers(cluster);
  const created = await callers.restAs(cluster.token, 'POST', CRDS, GADGETS);
  if (created.status !== 201) throw new Error(`the CRD was not created: ${JSON.stringify(created.body)}`);
}, 30_000);

afterAll(async () => {
  await callers?.dispose();
  await cluster?.stop();
});

const rest = (method: string, path: string, body?: unknown) =>
  callers.restAs(cluster.token, method, path, body);

function conditionsOf(obj: Json): Record<string, Json> {
  return Object.fromEntries(obj.status.conditions.map((c: Json) => [c.type, c]));
}

describe('names another definition or a built-in kind has', () => {
  it('are not accepted: the later definition is neither established nor served', async () => {
    const clash = crd('names.example.com', { plural: 'gizmos', kind: 'Gizmo', shortNames: ['gd'] });
    const res = await rest('POST', CRDS, clash);
    expect(res.status).toBe(201);
    const conditions = conditionsOf(res.body);
    expect(conditions.NamesAccepted).toMatchObject({
      status: 'False',
      reason: 'PluralConflict',
      message: '"gd" is already in use',
    });
    expect(conditions.Established).toMatchObject({ status: 'False', reason: 'NotAccepted' });
    expect(res.body.status.acceptedNames).toEqual({ plural: '', kind: '' });
    const list = await rest('GET', '/apis/names.example.com/v1');
    expect(list.body.resources.map((r: Json) => r.name)).toEqual(['gadgets']);
    expect((await rest('GET', '/apis/names.example.com/v1/namespaces/default/gizmos')).status).toBe(404);
    const first = await rest('GET', `${CRDS}/gadgets.names.example.com`);
    expect(conditionsOf(first.body).NamesAccepted.status).toBe('True');
  });

  it("refuse a kind of another group's definition, which kubeql serves by its name", async () => {
    const res = await rest('POST', CRDS, crd('other.example.com', { plural: 'gadgets', kind: 'Gadget' }));
    expect(res.status).toBe(201);
    expect(conditionsOf(res.body).NamesAccepted).toMatchObject({
      status: 'False',
      reason: 'KindConflict',
      message: '"Gadget" is already in use',
    });
    expect((await rest('GET', '/apis/other.example.com/v1/namespaces/default/gadgets')).status).toBe(404);
  });

  it("refuse a built-in kind's plural in its group and a built-in kind", async () => {
    const plural = await rest('POST', CRDS, crd('networking.k8s.io', { plural: 'ingresses', kind: 'Entry' }));
    expect(conditionsOf(plural.body).NamesAccepted).toMatchObject({
      status: 'False',
      reason: 'PluralConflict',
      message: '"ingresses" is already in use',
    });
    const kind = await rest(
      'POST',
      CRDS,
      crd('apps.example.com', { plural: 'deployments', kind: 'Deployment' }),
    );
    expect(conditionsOf(kind.body).NamesAccepted).toMatchObject({
      status: 'False',
      reason: 'KindConflict',
      message: '"Deployment" is already in use',
    });
    // The built-in kinds are served as before.
    expect((await rest('GET', '/apis/apps/v1/namespaces/default/deployments')).status).toBe(200);
  });

  it('when deleted, leave the definition that has them served, with its objects', async () => {
    const gadgets = '/apis/names.example.com/v1/namespaces/default/gadgets';
    const created = await rest('POST', gadgets, {
      apiVersion: 'names.example.com/v1',
      kind: 'Gadget',
      metadata: { name: 'kept' },
      spec: { size: 1 },
    });
    expect(created.status).toBe(201);
    expect((await rest('DELETE', `${CRDS}/gadgets.other.example.com`)).status).toBe(200);
    expect((await rest('DELETE', `${CRDS}/gizmos.names.example.com`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await rest('GET', `${gadgets}/kept`)).status).toBe(200);
  });
});

describe("custom resources' names", () => {
  it('resolve in can-i by plural, singular and short name', async () => {
    const token = await callers.tokenOf('default', 'gadget-reader');
    await cluster.ok(
      `mutation {
        r: createRole(namespace: "default", role: { metadata: { name: "gadget-reader" }, rules: [{ apiGroups: ["names.example.com"], resources: ["gadgets"], verbs: ["get"] }] }) { kind }
        b: createRoleBinding(namespace: "default", roleBinding: { metadata: { name: "gadget-reader" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "gadget-reader" }, subjects: [{ kind: "ServiceAccount", name: "gadget-reader", namespace: "default" }] }) { kind }
      }`,
    );
    const canI = async (verb: string, resource: string) => {
      const result = await callers.gqlAs(
        token,
        `query($verb: String!, $resource: String!) { canI(verb: $verb, resource: $resource, namespace: "default") }`,
        { verb, resource },
      );
      expect(result.errors).toBeUndefined();
      return result.data.canI as boolean;
    };
    expect(await canI('get', 'gadgets')).toBe(true);
    expect(await canI('get', 'gadget')).toBe(true);
    expect(await canI('get', 'gd')).toBe(true);
    expect(await canI('get', 'gadgets.names.example.com')).toBe(true);
    expect(await canI('delete', 'gd')).toBe(false);
  });

  it('resolve in the audit log of a GraphQL write, with their version', async () => {
    await cluster.ok(
      `mutation { audited: createGadget(namespace: "default", gadget: { metadata: { name: "audited" }, spec: { size: 2 } }) { kind } }`,
    );
    const log = path.join(cluster.dataDir, 'audit.log');
    const [event] = await eventually(
      () =>
        fs
          .readFileSync(log, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Json)
          .filter((e) => e.annotations?.['graphql.kubeql.io/field'] === 'audited'),
      (found) => found.length > 0,
      { what: 'the audit event of createGadget' },
    );
    expect(event.verb).toBe('create');
    expect(event.objectRef).toEqual({
      resource: 'gadgets',
      namespace: 'default',
      apiGroup: 'names.example.com',
      apiVersion: 'v1',
    });
  });
});

describe('names given up', () => {
  it('go to a definition refused them before, which is then served', async () => {
    const waiting = crd('again.example.com', { plural: 'gadgets', kind: 'Gadget' });
    const refused = await rest('POST', CRDS, waiting);
    expect(conditionsOf(refused.body).NamesAccepted.status).toBe('False');
    expect((await rest('DELETE', `${CRDS}/gadgets.names.example.com`)).status).toBe(200);
    const accepted = await eventually(
      async () => (await rest('GET', `${CRDS}/gadgets.again.example.com`)).body as Json,
      (obj) => conditionsOf(obj).NamesAccepted.status === 'True',
      { what: 'the refused definition to be accepted' },
    );
    expect(conditionsOf(accepted).Established).toMatchObject({ status: 'True' });
    expect(accepted.status.acceptedNames).toMatchObject({ plural: 'gadgets', kind: 'Gadget' });
    expect((await rest('GET', '/apis/again.example.com/v1/namespaces/default/gadgets')).status).toBe(200);
    expect((await rest('GET', '/apis/names.example.com/v1/namespaces/default/gadgets')).status).toBe(404);
  });
});
