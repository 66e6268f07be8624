import type { Resource } from '../schema/kind.ts';
import type { AccessAttributes } from '../server/auth/access-attributes.ts';
import { Authorizer } from '../server/auth/authorizer.ts';
import { defaultClusterRoleBindings, defaultClusterRoles } from '../server/auth/default-roles.ts';
import { serviceAccountGroups, serviceAccountUser } from '../server/auth/service-account-names.ts';
import type { Store } from '../server/store/store.ts';
import { rbacObjects, type RbacPopulation } from './rbac-population.ts';

/**
 * The authorizer alone, in this process, over the same RBAC objects as the server holds:
 * what one decision costs the caller of the benchmark, free of HTTP and of the machine's
 * other load. The requests are those its rounds make (each pod by its own name), plus the
 * refusals a dashboard's questions meet.
 */
export function decisionCost(population: RbacPopulation, decisions = 300_000): { nsPerDecision: number } {
  const authorizer = new Authorizer(storeOf(rbacObjects(population).rbac) as unknown as Store);
  const { callerNamespace: namespace } = population;
  const user = serviceAccountUser(namespace, population.caller);
  const allowed = (request: Omit<AccessAttributes, 'user' | 'groups'>) => ({ request, allowed: true });
  const refused = (request: Omit<AccessAttributes, 'user' | 'groups'>) => ({ request, allowed: false });
  const cases = [
    allowed({ verb: 'create', apiGroup: '', resource: 'pods', namespace }),
    allowed({ verb: 'patch', apiGroup: '', resource: 'pods', namespace }),
    allowed({ verb: 'delete', apiGroup: '', resource: 'pods', namespace }),
    allowed({ verb: 'get', apiGroup: '', resource: 'pods', namespace }),
    allowed({ verb: 'list', apiGroup: '', resource: 'pods', namespace }),
    allowed({ verb: 'get', apiGroup: 'apps', resource: 'deployments', namespace, name: 'web' }),
    allowed({ verb: 'list', apiGroup: 'apps', resource: 'replicasets', namespace }),
    refused({ verb: 'create', apiGroup: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace }),
    refused({ verb: 'delete', apiGroup: '', resource: 'pods', namespace: 'team-7' }),
  ];
  // CPU time, not wall time: the machine's other load does not count.
  const started = process.cpuUsage();
  for (let i = 0; i < decisions; i++) {
    const { request, allowed } = cases[i % cases.length];
    // Each request authenticates anew: its principal's groups are a new array, as the server's are.
    const groups = serviceAccountGroups(namespace);
    const named = request.resource === 'pods' && ['get', 'patch', 'delete'].includes(request.verb);
    const name = named ? `pod-${i % 1000}` : request.name;
    // Field by field, as the server builds them: a spread with more fields costs V8 a hidden class each time.
    const { verb, apiGroup, resource, namespace: where } = request;
    const attrs = { user, groups, verb, apiGroup, resource, namespace: where, name };
    if (authorizer.authorize(attrs).allowed !== allowed)
      throw new Error(`the authorizer decided ${JSON.stringify(request)} otherwise than the caller's grants`);
  }
  const { user: userMicros, system } = process.cpuUsage(started);
  return { nsPerDecision: ((userMicros + system) * 1000) / decisions };
}

/** The store as the authorizer reads it: objects by kind, and no events. */
function storeOf(objects: object[]) {
  const all = [
    ...defaultClusterRoles(),
    ...defaultClusterRoleBindings(),
    ...objects,
  ] as unknown as Resource[];
  const byKind = new Map<string, Map<string, Resource>>();
  for (const obj of all) {
    if (!byKind.has(obj.kind)) byKind.set(obj.kind, new Map());
    byKind.get(obj.kind)!.set(`${obj.metadata.namespace}/${obj.metadata.name}`, obj);
  }
  return {
    subscribe: () => () => {},
    objects: { ofKind: (kind: string) => byKind.get(kind) ?? new Map() },
  };
}
