import type { Resource } from '../../schema/kind.ts';
import type { CustomResourceDefinition } from '../../schema/kinds/customresourcedefinition.ts';
import { CONVERTED_KINDS, KINDS } from '../../schema/kinds/index.ts';

type CRDObject = CustomResourceDefinition & Resource;

/** Why a definition's names are not accepted: NamesAccepted False with this reason and message. */
export interface NamesConflict {
  reason: 'PluralConflict' | 'KindConflict';
  message: string;
}

/**
 * Whether the names a definition asks for are taken, as Kubernetes' naming controller
 * decides: its plural, singular and short names by the resources of its group, its kind
 * and listKind by the kinds. `others` are the stored definitions; only the names they
 * were accepted with count, so the later of two clashing definitions is the one refused.
 * kubeql keys kinds by name across groups (GraphQL's types, `kindByName`), so a kind
 * is taken by any group's, and a built-in kind or plural is taken as well.
 */
export function namesConflict(crd: CRDObject, others: Iterable<Resource>): NamesConflict | undefined {
  const { group, names } = crd.spec;
  const resources = new Set<string>();
  const kinds = new Set<string>();
  for (const def of [...KINDS, ...CONVERTED_KINDS]) {
    kinds.add(def.kind).add(`${def.kind}List`);
    if (def.apiVersion.split('/')[0] === group)
      for (const name of [def.plural, def.kind.toLowerCase(), ...def.shortNames]) resources.add(name);
  }
  for (const other of others as Iterable<CRDObject>) {
    if (other.metadata.name === crd.metadata.name) continue;
    const accepted = other.status?.acceptedNames;
    if (!accepted?.plural) continue;
    kinds.add(accepted.kind).add(accepted.listKind ?? `${accepted.kind}List`);
    if (other.spec.group === group)
      for (const name of [accepted.plural, accepted.singular, ...(accepted.shortNames ?? [])])
        if (name) resources.add(name);
  }
  const resourceNames = [names.plural, names.singular, ...(names.shortNames ?? [])];
  const takenResource = resourceNames.find((name) => name && resources.has(name));
  if (takenResource) return { reason: 'PluralConflict', message: `"${takenResource}" is already in use` };
  const takenKind = [names.kind, names.listKind ?? `${names.kind}List`].find((kind) => kinds.has(kind));
  if (takenKind) return { reason: 'KindConflict', message: `"${takenKind}" is already in use` };
  return undefined;
}

/** Whether a stored definition's names were accepted: only then is it served. */
export function namesAccepted(crd: CustomResourceDefinition): boolean {
  return crd.status?.conditions?.some((c) => c.type === 'NamesAccepted' && c.status === 'True') ?? false;
}
