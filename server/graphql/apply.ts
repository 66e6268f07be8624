import { authorizeApply } from './apply-access.ts';
import { builder } from './builder.ts';
import { ResourceRef } from './resource.ts';

builder.mutationField('apply', (t) =>
  t.field({
    type: [ResourceRef],
    nullable: false,
    description:
      'Creates or updates every object in `manifests` (JSON, or YAML with several documents separated by ---), all or none. The same manifests kubectl applies.',
    args: {
      manifests: t.arg.string({ required: true }),
      namespace: t.arg.string({ description: 'For manifests that name no namespace (default: "default").' }),
      dryRun: t.arg.boolean({ description: 'Validate and default, store nothing.' }),
    },
    resolve: async (_root, args, ctx) => {
      await authorizeApply(ctx, args.manifests, args.namespace ?? undefined);
      return ctx.resources.apply(args.manifests, args.namespace ?? undefined, {
        dryRun: args.dryRun ?? false,
      });
    },
  }),
);
