import { ApiError } from '../errors.ts';
import type { ManagerInfo } from './managed-fields.ts';
import { printPath, type PathElement } from './path-element.ts';

/** A field an apply would change that another manager owns. */
export interface FieldConflict {
  manager: ManagerInfo;
  path: PathElement[];
}

/**
 * An apply refused because it would change fields other managers own (HTTP 409,
 * reason Conflict), worded as Kubernetes words it, one FieldManagerConflict cause per field.
 */
export class ApplyConflict extends ApiError {
  readonly causes: Array<{ reason: 'FieldManagerConflict'; message: string; field: string }>;

  constructor(readonly conflicts: FieldConflict[]) {
    super('CONFLICT', conflictMessage(conflicts));
    this.causes = conflicts.map(({ manager, path }) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with ${printManager(manager)}`,
      field: printPath(path),
    }));
    Object.assign(this.extensions, { causes: this.causes });
  }
}

function conflictMessage(conflicts: FieldConflict[]): string {
  if (conflicts.length === 1) {
    const [{ manager, path }] = conflicts;
    return `Apply failed with 1 conflict: conflict with ${printManager(manager)}: ${printPath(path)}`;
  }
  const byManager = new Map<string, string[]>();
  for (const { manager, path } of conflicts) {
    const name = printManager(manager);
    byManager.set(name, [...(byManager.get(name) ?? []), printPath(path)]);
  }
  const lines = [...byManager.keys()]
    .sort()
    .flatMap((name) => [`conflicts with ${name}:`, ...byManager.get(name)!.map((path) => `- ${path}`)]);
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** `"kubectl" with subresource "scale" using apps/v1`: an applier by name only. */
function printManager({ manager, operation, apiVersion, subresource }: ManagerInfo): string {
  let printed = JSON.stringify(manager ?? '');
  if (subresource) printed += ` with subresource ${JSON.stringify(subresource)}`;
  if (operation === 'Update') printed += ` using ${apiVersion}`;
  return printed;
}
