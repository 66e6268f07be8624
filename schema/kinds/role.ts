import { defineKind } from '../kind.ts';
import { s, type Infer } from '../shape.ts';
import { ObjectMeta } from './meta.ts';
import { PolicyRule } from './rbac-shapes.ts';

const description = 'A set of permissions within one namespace, granted by RoleBindings.';

export const Role = s.object(
  'Role',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    rules: s.list(PolicyRule, 'What the role allows; nothing if empty.'),
  },
  description,
);
export type Role = Infer<typeof Role>;

export const roleKind = defineKind({
  kind: 'Role',
  apiVersion: 'rbac.authorization.k8s.io/v1',
  plural: 'roles',
  shortNames: [],
  namespaced: true,
  shape: Role,
  description,
});
