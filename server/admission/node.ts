import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { Node, NodeSpec, NodeStatus } from '../../schema/kinds/node.ts';
import { parseQuantity } from '../../schema/quantity.ts';
import type { KindAdmission } from './admission.ts';
import * as validation from './validation.ts';

type NodeObject = Node & Resource;

const QUANTITY_SYNTAX =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

function validateTaints(spec: NodeSpec, errors: FieldError[]): void {
  const seen = new Set<string>();
  spec.taints?.forEach((taint, i) => {
    const at = joinPath('spec.taints', i);
    validation.qualifiedName(taint.key, joinPath(at, 'key'), errors);
    if (taint.value !== undefined) validation.labelValue(taint.value, joinPath(at, 'value'), errors);
    const key = `${taint.key}:${taint.effect}`;
    if (seen.has(key)) {
      errors.push(
        fieldError(
          at,
          'Duplicate',
          `Duplicate value: "${key}": taints must be unique by key and effect pair`,
        ),
      );
    }
    seen.add(key);
  });
}

function validateResources(
  list: Record<string, string | number> | undefined,
  path: string,
  errors: FieldError[],
): void {
  for (const [name, value] of Object.entries(list ?? {})) {
    const at = joinPath(path, name);
    validation.qualifiedName(name, at, errors);
    const amount = parseQuantity(value);
    if (amount === undefined)
      errors.push(fieldError(at, 'Invalid', `Invalid value: "${value}": ${QUANTITY_SYNTAX}`));
    else if (amount < 0) {
      errors.push(fieldError(at, 'Invalid', `Invalid value: "${value}": must be greater than or equal to 0`));
    }
  }
}

/** What the node agent reports: allocatable defaults to capacity, both must be quantities. */
function admitStatus(node: NodeObject): FieldError[] {
  const status: NodeStatus | undefined = node.status;
  if (status?.capacity && !status.allocatable) status.allocatable = { ...status.capacity };
  const errors: FieldError[] = [];
  validateResources(status?.capacity, 'status.capacity', errors);
  validateResources(status?.allocatable, 'status.allocatable', errors);
  return errors;
}

export const nodeAdmission: KindAdmission<NodeObject> = {
  default(node) {
    // podCIDR is the older single-family form of podCIDRs; clients may send either.
    const spec: NodeSpec | undefined = node.spec;
    if (spec?.podCIDR && !spec.podCIDRs?.length) spec.podCIDRs = [spec.podCIDR];
    else if (spec && !spec.podCIDR && spec.podCIDRs?.length) spec.podCIDR = spec.podCIDRs[0];
  },

  validate(node) {
    const errors: FieldError[] = [];
    validateTaints(node.spec ?? {}, errors);
    // A Node registers with its status (as the kubelet does), so creation admits it too.
    errors.push(...admitStatus(node));
    return errors;
  },

  status: admitStatus,
};
