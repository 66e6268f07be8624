import type { KindDefinition } from '../../schema/kind.ts';
import type { ObjectShape, Shape } from '../../schema/shape.ts';
import { dynamicKindsGeneration } from '../../schema/kinds/dynamic-kinds.ts';
import { groupVersionOf, servedKinds, type GroupVersion } from './discovery.ts';

/** The package of the types every group shares (metav1), as Kubernetes names its schemas. */
export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** Shapes that are metav1 types in Kubernetes, whichever kind reaches them first. */
const META_TYPES = new Set([
  'ObjectMeta',
  'OwnerReference',
  'LabelSelector',
  'LabelSelectorRequirement',
  'ManagedFieldsEntry',
]);

/** The package Kubernetes defines a group-version's types in: `io.k8s.api.apps.v1`, `io.k8s.api.core.v1`. */
export function packageOf({ group, version }: GroupVersion): string {
  return `io.k8s.api.${group === '' ? 'core' : group.split('.')[0]}.${version}`;
}

export function refTo(name: string): string {
  return `#/components/schemas/${name}`;
}

/**
 * The schema name of every object shape the kinds reach, as Kubernetes names its types
 * (`io.k8s.api.core.v1.Container`): a shape reached from one group-version's kinds only is
 * that group-version's; one several share is core's, where Kubernetes keeps what groups share
 * (a PodTemplateSpec is core's in the apps and batch documents). A group served at two
 * versions (autoscaling) has shapes of its own for each. Keyed by `fields`, which
 * `required(...)` copies of a shape share. Two different shapes under one name would make one
 * schema stand for both, so that is refused.
 */
function nameShapes(kinds: readonly KindDefinition[]): Map<ObjectShape['fields'], string> {
  const reached = new Map<ObjectShape['fields'], { shape: ObjectShape; owners: Set<KindDefinition> }>();
  const visit = (shape: Shape, def: KindDefinition): void => {
    if (shape.t === 'scalar') return;
    if (shape.t === 'list') return visit(shape.of, def);
    const seen = reached.get(shape.fields);
    if (seen && [...seen.owners].some((owner) => owner.apiVersion === def.apiVersion)) return;
    if (seen) seen.owners.add(def);
    else reached.set(shape.fields, { shape, owners: new Set([def]) });
    for (const field of Object.values(shape.fields)) visit(field, def);
  };
  for (const def of kinds) visit(def.shape, def);
  const names = new Map<ObjectShape['fields'], string>();
  const owners = new Map<string, ObjectShape['fields']>();
  for (const [fields, { shape, owners: reachedFrom }] of reached) {
    const [only] = reachedFrom;
    const pkg = META_TYPES.has(shape.name)
      ? META
      : packageOf(reachedFrom.size === 1 ? groupVersionOf(only) : { group: '', version: 'v1' });
    const name = `${pkg}.${shape.name}`;
    if (owners.has(name)) throw new Error(`OpenAPI: two different shapes are both named ${name}`);
    owners.set(name, fields);
    names.set(fields, name);
  }
  return names;
}

let shapeNames: Map<ObjectShape['fields'], string> | undefined;
/** The custom resources shapeNames were named with: another generation names them again. */
let namedAt = -1;

export function schemaName(shape: ObjectShape): string {
  if (!shapeNames || namedAt !== dynamicKindsGeneration()) {
    shapeNames = nameShapes(servedKinds());
    namedAt = dynamicKindsGeneration();
  }
  const name = shapeNames.get(shape.fields);
  if (!name) throw new Error(`OpenAPI: ${shape.name} is reached by no kind`);
  return name;
}
