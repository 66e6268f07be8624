import type { KindDefinition, Resource } from '../../schema/kind.ts';
import { ApiError } from '../errors.ts';
import { FieldSelectorError, fieldsMatch, parseFieldSelector } from '../selectors/field-selector.ts';
import { SelectorSyntaxError, matches, parseLabelSelector } from '../../schema/label-selector.ts';

export interface Selection {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export type Filter = (obj: Resource) => boolean;

/** The node a `spec.nodeName=<node>` requirement pins a selection to (a node agent's watch), if any. */
export function requiredNodeName(fieldSelector: string | undefined): string | undefined {
  for (const part of (fieldSelector ?? '').split(',')) {
    const match = /^\s*spec\.nodeName\s*==?\s*(\S+)\s*$/.exec(part);
    if (match) return match[1];
  }
  return undefined;
}

/** One predicate for a list or watch: namespace, label selector and field selector, ANDed. */
export function compileFilter(def: KindDefinition, selection: Selection): Filter {
  try {
    const labels = selection.labelSelector ? parseLabelSelector(selection.labelSelector) : [];
    const fields = selection.fieldSelector ? parseFieldSelector(def, selection.fieldSelector) : [];
    const namespace = def.namespaced ? selection.namespace : undefined;
    return (obj) =>
      (namespace === undefined || obj.metadata.namespace === namespace) &&
      (labels.length === 0 || matches(labels, obj.metadata.labels)) &&
      (fields.length === 0 || fieldsMatch(fields, obj));
  } catch (error) {
    if (error instanceof SelectorSyntaxError || error instanceof FieldSelectorError) {
      throw new ApiError('BAD_REQUEST', `unable to parse selector: ${error.message}`);
    }
    throw error;
  }
}
