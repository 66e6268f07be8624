import { authorizeApply } from './apply-access.ts';
import { builder, warnInto } from './builder.ts';
import { perObject } from './field-access.ts';
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
      serverSide: t.arg.boolean({
        description:
          'Server-side apply, as `kubectl apply --server-side`: fieldManager comes to own exactly the fields of each manifest; changing a field another manager owns is a CONFLICT.',
      }),
      fieldManager: t.arg.string({ description: 'Who applies: required with serverSide.' }),
      force: t.arg.boolean({
        description: 'With serverSide: take the fields other managers own instead of failing.',
      }),
    },
    ...perObject(
      '`create` of each object that does not exist yet, `patch` of each that does (apply-access.ts)',
    ),
    resolve: async (_root, args, ctx) => {
      await authorizeApply(ctx, args.manifests, args.namespace ?? undefined);
      return ctx.resources.apply(args.manifests, args.namespace ?? undefined, {
        dryRun: args.dryRun ?? false,
        serverSide: args.serverSide ?? false,
        fieldManager: args.fieldManager ?? undefined,
        force: args.force ?? false,
        ...warnInto(ctx),
      });
    },
  }),
);
