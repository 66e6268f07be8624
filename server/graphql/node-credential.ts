import { ApiError } from '../errors.ts';
import { builder } from './builder.ts';
import { perObject } from './field-access.ts';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const NodeCredentialRef = builder
  .objectRef<{ token: string; expirationTimestamp: string }>('NodeCredential')
  .implement({
    description: "A node's own bearer token, for `system:node:<name>` in `system:nodes`.",
    fields: (t) => ({
      token: t.exposeString('token', { nullable: false }),
      expirationTimestamp: t.exposeString('expirationTimestamp', { nullable: false }),
    }),
  });

builder.mutationField('nodeCredential', (t) =>
  t.field({
    type: NodeCredentialRef,
    nullable: false,
    description:
      "A credential for the node `nodeName`, valid a year: what a node joining with a bootstrap token exchanges it for (Kubernetes signs a kubelet's CertificateSigningRequest instead), or a node renews its own with.",
    args: { nodeName: t.arg.string({ required: true }) },
    ...perObject(
      'asks create certificatesigningrequests/nodeclient, or selfnodeclient for a node asking for its own name',
    ),
    resolve: (_root, args, ctx) => {
      if (args.nodeName.length > 253 || !DNS_SUBDOMAIN.test(args.nodeName)) {
        throw new ApiError(
          'INVALID',
          `nodeName "${args.nodeName}" is not a valid node name (a DNS subdomain)`,
          [{ path: 'nodeName', reason: 'Invalid', message: 'must be a lowercase DNS subdomain' }],
        );
      }
      return ctx.access.issueNodeCredential(ctx.principal, args.nodeName);
    },
  }),
);
