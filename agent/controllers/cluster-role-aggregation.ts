import { isDeepStrictEqual } from 'node:util';
import { isCode, type Informer, type Resource } from '../../client/index.ts';
import { selectorMatches } from '../../schema/label-selector.ts';
import type { ClusterRole } from '../../schema/kinds/clusterrole.ts';
import type { LabelSelector } from '../../schema/kinds/meta.ts';
import type { PolicyRule } from '../../schema/kinds/rbac-shapes.ts';
import { ReconcilingController, type ControllerContext, type ControllerFactory } from './controller.ts';

type AggregatedRole = ClusterRole & Resource;

/**
 * Kubernetes' clusterrole-aggregation controller: a ClusterRole with an aggregationRule
 * holds, as its `rules`, the rules of every other ClusterRole one of its selectors
 * matches (by name order, each rule once). That is how `admin`, `edit` and `view` grow
 * with the roles labelled `rbac.authorization.k8s.io/aggregate-to-*: "true"`.
 */
export class ClusterRoleAggregationController extends ReconcilingController {
  private readonly clusterRoles: Informer<AggregatedRole>;

  constructor(ctx: ControllerContext) {
    super('clusterrole-aggregation', ctx);
    this.clusterRoles = ctx.informers.get<AggregatedRole>('ClusterRole');
  }

  /**
   * Reconciles the ClusterRole `name`: when it exists with an aggregationRule and its
   * rules differ from what its selectors gather from the cache, writes those rules (an
   * empty list when none match). Idempotent: a role whose rules already match is not
   * written; a role gone meanwhile (NOT_FOUND) is success; any other failure throws and
   * the key is retried. Rules written by hand to an aggregated role are replaced.
   */
  async reconcile(name: string): Promise<void> {
    const role = this.clusterRoles.get(name);
    const selectors = role?.aggregationRule?.clusterRoleSelectors;
    if (!role || !selectors?.length) return;
    const rules = this.aggregate(name, selectors);
    if (isDeepStrictEqual(rules, role.rules ?? [])) return;
    try {
      await this.ctx.writer.patch('ClusterRole', name, undefined, { rules });
    } catch (error) {
      if (!isCode(error, 'NOT_FOUND')) throw error;
    }
  }

  /** The rules of the roles (but `name`) some selector matches, by role name, duplicates dropped. */
  private aggregate(name: string, selectors: readonly LabelSelector[]): PolicyRule[] {
    const sources = this.clusterRoles
      .list()
      .filter((other) => other.metadata.name !== name)
      .filter((other) => selectors.some((selector) => selectorMatches(selector, other.metadata.labels)))
      .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
    const rules: PolicyRule[] = [];
    for (const source of sources) {
      for (const rule of source.rules ?? []) {
        if (!rules.some((held) => isDeepStrictEqual(held, rule))) rules.push(rule);
      }
    }
    return rules;
  }

  /** Any ClusterRole's change may change what every aggregated role gathers: all of them are enqueued. */
  protected register(): void {
    const enqueueAggregated = () => {
      for (const role of this.clusterRoles.list())
        if (role.aggregationRule?.clusterRoleSelectors?.length) this.loop.enqueue(role.metadata.name!);
    };
    this.watch(this.clusterRoles, {
      onAdd: enqueueAggregated,
      onUpdate: enqueueAggregated,
      onDelete: enqueueAggregated,
    });
  }
}

export const clusterRoleAggregationController: ControllerFactory = (ctx) =>
  new ClusterRoleAggregationController(ctx);
