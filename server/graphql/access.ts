import { resolveResource } from '../auth/access-control.ts';
import type { NonResourceRule, ResourceRule, RulesReview } from '../auth/rules-review.ts';
import { builder } from './builder.ts';
import { callerOnly, onKind, requires } from './field-access.ts';

const ServiceAccountTokenRef = builder
  .objectRef<{ token: string; expirationTimestamp: string }>('ServiceAccountToken')
  .implement({
    description: "A bound ServiceAccount token (TokenRequest's status): a bearer token for the API.",
    fields: (t) => ({
      token: t.exposeString('token', { nullable: false }),
      expirationTimestamp: t.exposeString('expirationTimestamp', { nullable: false }),
    }),
  });

builder.queryField('canI', (t) =>
  t.boolean({
    nullable: false,
    description:
      'Whether the caller may do `verb` to `resource` (a plural, singular or short name, or `plural.group`), as RBAC decides it for every other field: what `kubectl auth can-i` asks. Without a namespace, the question is about every namespace.',
    args: {
      verb: t.arg.string({ required: true }),
      resource: t.arg.string({ required: true }),
      group: t.arg.string({ description: 'The API group, when `resource` does not name it.' }),
      namespace: t.arg.string(),
      name: t.arg.string(),
      subresource: t.arg.string(),
    },
    ...callerOnly("answers with the caller's own permissions"),
    resolve: (_root, args, ctx) =>
      ctx.access.can(ctx.principal, {
        ...resolveResource(args.resource, args.group),
        verb: args.verb,
        namespace: args.namespace ?? undefined,
        name: args.name ?? undefined,
        subresource: args.subresource ?? undefined,
      }),
  }),
);

const ResourceRuleRef = builder.objectRef<ResourceRule>('ResourceRule').implement({
  description: 'Verbs the caller may use on resources (SelfSubjectRulesReview): `*` stands for all.',
  fields: (t) => ({
    verbs: t.exposeStringList('verbs', { nullable: false }),
    apiGroups: t.exposeStringList('apiGroups', { nullable: false }),
    resources: t.exposeStringList('resources', { nullable: false }),
    resourceNames: t.stringList({
      nullable: false,
      description: 'Only these objects by name; every object if empty.',
      resolve: (rule) => rule.resourceNames ?? [],
    }),
  }),
});

const NonResourceRuleRef = builder.objectRef<NonResourceRule>('NonResourceRule').implement({
  description: 'Verbs the caller may use on paths outside the resources (`/metrics`, `/apis/*`).',
  fields: (t) => ({
    verbs: t.exposeStringList('verbs', { nullable: false }),
    nonResourceURLs: t.exposeStringList('nonResourceURLs', { nullable: false }),
  }),
});

const RulesReviewRef = builder.objectRef<RulesReview>('RulesReview').implement({
  description: "What the caller may do: SelfSubjectRulesReview's status.",
  fields: (t) => ({
    resourceRules: t.field({ type: [ResourceRuleRef], nullable: false, resolve: (r) => r.resourceRules }),
    nonResourceRules: t.field({
      type: [NonResourceRuleRef],
      nullable: false,
      resolve: (r) => r.nonResourceRules,
    }),
    incomplete: t.exposeBoolean('incomplete', {
      nullable: false,
      description: 'Whether some rules could not be known (never here: RBAC is the only authorizer).',
    }),
  }),
});

builder.queryField('rulesReview', (t) =>
  t.field({
    type: RulesReviewRef,
    nullable: false,
    description:
      'Every rule that holds for the caller in `namespace`, from the authorizer that decides every other field: what `kubectl auth can-i --list` shows. Without a namespace, the cluster-wide grants only.',
    args: { namespace: t.arg.string() },
    ...callerOnly("answers with the caller's own permissions"),
    resolve: (_root, args, ctx) => ctx.access.rulesReview(ctx.principal, args.namespace ?? undefined),
  }),
);

builder.mutationField('createToken', (t) =>
  t.field({
    type: ServiceAccountTokenRef,
    nullable: false,
    description:
      "A token for a ServiceAccount (Kubernetes' TokenRequest), valid `expirationSeconds` (3600 by default, at least 600), and only while the ServiceAccount exists.",
    args: {
      namespace: t.arg.string({ defaultValue: 'default' }),
      serviceAccountName: t.arg.string({ required: true }),
      expirationSeconds: t.arg.int(),
      audiences: t.arg.stringList({
        description: "Who the token is for; the API server's identifier by default.",
      }),
      boundObjectKind: t.arg.string({
        description: 'Binds the token to an object (Pod): it stops working once that is gone.',
      }),
      boundObjectName: t.arg.string(),
      boundObjectUid: t.arg.string(),
    },
    ...requires((args: { namespace?: string | null; serviceAccountName: string }) =>
      onKind('ServiceAccount', 'create', args.namespace ?? 'default', args.serviceAccountName, 'token'),
    ),
    resolve: (_root, args, ctx) =>
      ctx.access.issueToken(
        ctx.principal,
        args.namespace ?? 'default',
        args.serviceAccountName,
        args.expirationSeconds ?? undefined,
        {
          audiences: args.audiences ?? undefined,
          boundObjectRef: args.boundObjectKind
            ? {
                kind: args.boundObjectKind,
                name: args.boundObjectName ?? undefined,
                uid: args.boundObjectUid ?? undefined,
              }
            : undefined,
        },
      ),
  }),
);

const UserInfoRef = builder.objectRef<{ name: string; groups: readonly string[] }>('UserInfo').implement({
  description: 'Who a token authenticates as (SelfSubjectReview).',
  fields: (t) => ({
    username: t.string({ nullable: false, resolve: (user) => user.name }),
    groups: t.stringList({ nullable: false, resolve: (user) => [...user.groups] }),
  }),
});

builder.queryField('whoami', (t) =>
  t.field({
    type: UserInfoRef,
    nullable: false,
    description:
      "The caller's user name and groups, as authorization sees them: what `kubectl auth whoami` prints.",
    ...callerOnly("answers with the caller's own identity"),
    resolve: (_root, _args, ctx) => ctx.principal,
  }),
);
