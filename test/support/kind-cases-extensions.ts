import { expect } from 'vitest';
import type { CustomResourceDefinition } from '../../schema/kinds/customresourcedefinition.ts';
import { kindCase, type KindCase } from './kinds.ts';

/**
 * CustomResourceDefinitions, from Kubernetes' documentation: their manifests and what the
 * API makes of them (see KindCase), for kinds-lifecycle.test.ts.
 */
export const EXTENSIONS_KIND_CASES: KindCase[] = [
  kindCase<CustomResourceDefinition>({
    kind: 'CustomResourceDefinition',
    namespaced: false,
    hasSpec: true,
    // A CRD's name is its plural and group.
    name: 'gadgets.kinds.example.com',
    manifest: (name) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${name}
spec:
  group: kinds.example.com
  scope: Namespaced
  names: { plural: gadgets, kind: Gadget }
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: { type: object, properties: { size: { type: integer } } }
`,
    select: `spec { group scope names { plural singular kind listKind shortNames } versions { name served storage } }
      status { acceptedNames { kind } storedVersions conditions { type status reason } }`,
    created(crd) {
      expect(crd.spec.names).toEqual({
        plural: 'gadgets',
        singular: 'gadget',
        kind: 'Gadget',
        listKind: 'GadgetList',
        shortNames: null,
      });
      expect(crd.status?.storedVersions).toEqual(['v1']);
      expect(crd.status?.conditions).toContainEqual({
        type: 'Established',
        status: 'True',
        reason: 'InitialNamesAccepted',
      });
    },
    change(m) {
      m.spec.names.shortNames = ['lc'];
    },
    changed(crd) {
      expect(crd.spec.names.shortNames).toEqual(['lc']);
    },
    patch: { spec: { names: { shortNames: ['life'] } } },
    patched(crd) {
      expect(crd.spec.names.shortNames).toEqual(['life']);
      expect(crd.status?.acceptedNames?.kind).toBe('Gadget');
    },
  }),
];
