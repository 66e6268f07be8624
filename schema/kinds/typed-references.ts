import { required, s, type Infer } from '../shape.ts';

/** References to objects of any kind by group, kind and name (a claim's data source, an ingress backend). */

export const TypedLocalObjectReference = s.object(
  'TypedLocalObjectReference',
  {
    apiGroup: s.string('The group of the kind; "" or absent for the core group.'),
    kind: required(s.string()),
    name: required(s.string()),
  },
  'An object in the same namespace, by group, kind and name.',
);
export type TypedLocalObjectReference = Infer<typeof TypedLocalObjectReference>;

export const TypedObjectReference = s.object(
  'TypedObjectReference',
  {
    apiGroup: s.string('The group of the kind; "" or absent for the core group.'),
    kind: required(s.string()),
    name: required(s.string()),
    namespace: s.string("Another namespace than the referrer's, where a ReferenceGrant allows it."),
  },
  'An object, possibly in another namespace, by group, kind and name.',
);
