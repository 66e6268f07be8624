import type { KindDefinition, Resource } from '../../schema/kind.ts';

export interface FieldRequirement {
  read: (obj: Resource) => string | undefined;
  op: '=' | '!=';
  value: string;
}

export class FieldSelectorError extends Error {}

const COMMON: Record<string, (obj: Resource) => string | undefined> = {
  'metadata.name': (obj) => obj.metadata.name,
  'metadata.namespace': (obj) => obj.metadata.namespace,
};

/**
 * Field selectors (`spec.nodeName=node-1,status.phase!=Running`) over the fields the
 * kind supports, as Kubernetes limits them per kind; any other field is an error rather
 * than a silently empty list.
 */
export function parseFieldSelector(def: KindDefinition, text: string): FieldRequirement[] {
  const out: FieldRequirement[] = [];
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!match) throw new FieldSelectorError(`invalid selector: '${part}'; can't understand '${part}'`);
    const [, field, op, value] = match;
    const read = COMMON[field] ?? (def.fieldSelectors?.[field] as FieldRequirement['read'] | undefined);
    if (!read) throw new FieldSelectorError(`field label not supported: ${field}`);
    out.push({ read, op: op === '!=' ? '!=' : '=', value });
  }
  return out;
}

export function fieldsMatch(requirements: FieldRequirement[], obj: Resource): boolean {
  for (const { read, op, value } of requirements) {
    const actual = read(obj) ?? '';
    if ((actual === value) !== (op === '=')) return false;
  }
  return true;
}
