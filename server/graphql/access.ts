import { resolveResource } from '../auth/access-control.ts';
import { builder } from './builder.ts';

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
    },
    resolve: (_root, args, ctx) =>
      ctx.access.issueToken(
        ctx.principal,
        args.namespace ?? 'default',
        args.serviceAccountName,
        args.expirationSeconds ?? undefined,
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
    resolve: (_root, _args, ctx) => ctx.principal,
  }),
);
