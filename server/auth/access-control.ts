import type { KindDefinition } from '../../schema/kind.ts';
import { dynamicKinds } from '../../schema/kinds/dynamic-kinds.ts';
import { KINDS, kindByName } from '../../schema/kinds/index.ts';
import { ApiError, notFound } from '../errors.ts';
import type { ResourceService } from '../resources/service.ts';
import type { AccessAttributes } from './access-attributes.ts';
import { Authorizer, MASTERS_GROUP } from './authorizer.ts';
import { admitNodeWrite } from '../admission/node-restriction.ts';
import { checkEscalation } from './escalation.ts';
import { NodeCredentials } from './node-credentials.ts';
import { nodeNameOf } from './node-identity.ts';
import { rulesReview, type RulesReview } from './rules-review.ts';
import { ServiceAccountTokens, type IssuedToken } from './service-account-tokens.ts';
import { tokenBinding, type TokenRequestSpec } from './token-binding.ts';

/** Who is calling, as the authenticator found them. */
export interface Caller {
  name: string;
  groups: readonly string[];
}

/** A request's attributes but the caller's. */
export type Request = Omit<AccessAttributes, 'user' | 'groups'>;

/**
 * The server's access decisions in one place, for GraphQL and REST alike: whether a caller
 * may do something (RBAC), the FORBIDDEN error when not, and the ServiceAccount tokens it issues.
 */
export class AccessControl {
  readonly authorizer: Authorizer;
  readonly tokens: ServiceAccountTokens;
  readonly nodeCredentials: NodeCredentials;

  constructor(
    dataDir: string,
    private readonly resources: ResourceService,
  ) {
    this.authorizer = new Authorizer(resources.store);
    this.tokens = new ServiceAccountTokens(dataDir);
    this.nodeCredentials = new NodeCredentials(dataDir);
  }

  can(caller: Caller, request: Request): boolean {
    return this.authorizer.authorize(attributesOf(caller, request)).allowed;
  }

  /** Throws FORBIDDEN, with Kubernetes' message, unless the caller may. */
  require(caller: Caller, request: Request): void {
    const decision = this.authorizer.authorize(attributesOf(caller, request));
    if (!decision.allowed) throw new ApiError('FORBIDDEN', decision.reason);
  }

  /** Throws FORBIDDEN unless the caller may `verb` the path outside the resources (`get /metrics`). */
  requirePath(caller: Caller, verb: string, path: string): void {
    const decision = this.authorizer.authorizePath({ user: caller.name, groups: caller.groups, verb, path });
    if (!decision.allowed) throw new ApiError('FORBIDDEN', decision.reason);
  }

  /**
   * Why a plain HTTP request for a path outside the resources (`/metrics`) is refused, with its
   * status: 401 without a valid token, 403 without a rule granting the path; undefined if allowed.
   */
  pathRefusal(
    caller: Caller | undefined,
    verb: string,
    path: string,
  ): { status: 401 | 403; message: string } | undefined {
    if (!caller) return { status: 401, message: 'Unauthorized' };
    const decision = this.authorizer.authorizePath({ user: caller.name, groups: caller.groups, verb, path });
    return decision.allowed ? undefined : { status: 403, message: decision.reason };
  }

  /** What the caller may do in `namespace` (cluster-wide grants only, without one): a SelfSubjectRulesReview. */
  rulesReview(caller: Caller, namespace: string | undefined): RulesReview {
    return rulesReview(this.authorizer, { user: caller.name, groups: caller.groups }, namespace);
  }

  /** `require` for an operation on a kind: a cluster-scoped kind is asked for without a namespace. */
  requireKind(
    caller: Caller,
    def: KindDefinition,
    verb: string,
    namespace: string | undefined,
    name?: string,
    subresource?: string,
  ): void {
    this.require(caller, kindRequest(def, verb, namespace, name, subresource));
  }

  /**
   * The resources as `caller` writes them: every RBAC object checked for escalation before it
   * is stored (checkEscalation). For the REST API, which authorizes each request whole;
   * cluster admins, who hold everything, skip it.
   */
  writerFor(caller: Caller, resources: ResourceService = this.resources): ResourceService {
    if (caller.groups.includes(MASTERS_GROUP)) return resources;
    const subject = { user: caller.name, groups: caller.groups };
    const node = nodeNameOf(caller);
    return resources.admitting((obj, current, tx) => {
      if (node !== undefined) admitNodeWrite(node, obj, current);
      checkEscalation(this.authorizer, subject, obj, current, tx);
    });
  }

  /**
   * The resources as `caller` reads and writes them through GraphQL: `writerFor`'s, with every
   * read authorized too, so that an edge the caller may not follow fails at its own path.
   */
  resourcesFor(caller: Caller, resources: ResourceService = this.resources): ResourceService {
    if (caller.groups.includes(MASTERS_GROUP)) return resources;
    return this.writerFor(
      caller,
      resources.guarding((def, verb, namespace, name) =>
        this.requireKind(caller, def, verb, namespace, name),
      ),
    );
  }

  /** The uid of a stored ServiceAccount, which a token must name to be accepted. */
  readonly serviceAccountUid = (namespace: string, name: string): string | undefined =>
    this.resources.get(kindByName('ServiceAccount')!, namespace, name)?.metadata.uid;

  /** A token for the ServiceAccount `name` in `namespace` (TokenRequest), if the caller may create one. */
  issueToken(
    caller: Caller,
    namespace: string,
    name: string,
    expirationSeconds?: number,
    spec: TokenRequestSpec = {},
  ): IssuedToken {
    this.require(caller, {
      verb: 'create',
      apiGroup: '',
      resource: 'serviceaccounts',
      subresource: 'token',
      namespace,
      name,
    });
    const uid = this.serviceAccountUid(namespace, name);
    if (!uid) throw notFound('serviceaccounts', name);
    const binding = tokenBinding(this.resources, namespace, name, spec);
    return this.tokens.issue({ namespace, name, uid }, expirationSeconds ?? undefined, undefined, binding);
  }

  /**
   * A credential for the node `nodeName` (node-credentials.ts), in place of the client certificate
   * Kubernetes signs from a kubelet's CertificateSigningRequest. As its approver: for a caller who
   * may create `certificatesigningrequests/nodeclient` (a bootstrap token), or a node renewing its
   * own (`selfnodeclient`).
   */
  issueNodeCredential(caller: Caller, nodeName: string): IssuedToken {
    const own = nodeNameOf(caller) === nodeName;
    this.require(caller, {
      verb: 'create',
      apiGroup: 'certificates.k8s.io',
      resource: 'certificatesigningrequests',
      subresource: own ? 'selfnodeclient' : 'nodeclient',
    });
    return this.nodeCredentials.issue(nodeName);
  }
}

/**
 * The caller's request as the authorizer takes it, field by field: V8 gives each object spread
 * of `request` with more fields a hidden class of its own, which costs microseconds a decision.
 */
function attributesOf(caller: Caller, request: Request): AccessAttributes {
  const { verb, apiGroup, resource, subresource, namespace, name } = request;
  return { user: caller.name, groups: caller.groups, verb, apiGroup, resource, subresource, namespace, name };
}

/** The attributes of an operation on a kind. */
export function kindRequest(
  def: KindDefinition,
  verb: string,
  namespace: string | undefined,
  name?: string,
  subresource?: string,
): Request {
  const slash = def.apiVersion.indexOf('/');
  return {
    verb,
    apiGroup: slash < 0 ? '' : def.apiVersion.slice(0, slash),
    resource: def.plural,
    subresource,
    namespace: def.namespaced ? namespace : undefined,
    name,
  };
}

/**
 * The group and plural a user names a resource by, as `kubectl auth can-i` resolves them:
 * a plural, singular or short name, optionally `.group`; an unknown name is taken as given.
 */
export function resolveResource(
  resource: string,
  group?: string | null,
): { apiGroup: string; resource: string } {
  const dot = resource.indexOf('.');
  const name = dot < 0 ? resource : resource.slice(0, dot);
  const wanted = group ?? (dot < 0 ? undefined : resource.slice(dot + 1));
  // The custom resources served now resolve as the built-in kinds do.
  const def = [...KINDS, ...dynamicKinds()].find((kind) => {
    const kindGroup = kind.apiVersion.includes('/') ? kind.apiVersion.split('/')[0] : '';
    if (wanted !== undefined && kindGroup !== wanted) return false;
    return kind.plural === name || kind.kind.toLowerCase() === name || kind.shortNames.includes(name);
  });
  if (!def) return { apiGroup: wanted ?? '', resource: name };
  return { apiGroup: def.apiVersion.includes('/') ? def.apiVersion.split('/')[0] : '', resource: def.plural };
}
