import type { KindDefinition } from '../../schema/kind.ts';

/**
 * Asked by ResourceService before each read it answers (ResourceService.guarding): the
 * caller's authorization of what a field reads, so that an edge (`Deployment.pods`,
 * `Pod.node`, events) the caller may not follow fails at its own path. Throws to refuse.
 */
export type ReadGuard = (
  def: KindDefinition,
  verb: 'get' | 'list',
  namespace: string | undefined,
  name?: string,
) => void;
