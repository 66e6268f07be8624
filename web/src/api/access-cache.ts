import type { KubeqlClient } from '../../../client/client.ts';
import { execute } from '../../../client/typed.ts';
import { derivePermissions, type Permissions, type ResourceRule } from '../access/permissions.ts';
import { RulesReviewDocument } from '../generated/graphql.ts';

/**
 * The caller's permissions per namespace, asked once (SelfSubjectRulesReview) and kept for
 * the session: a new token is a new session, so it is asked again then.
 */
export class AccessCache {
  private readonly rules = new Map<string, Promise<readonly ResourceRule[]>>();
  private readonly known = new Map<string, Permissions>();

  constructor(private readonly client: KubeqlClient) {}

  /** The permissions already asked for, without waiting. */
  peek(namespace?: string): Permissions | undefined {
    return this.known.get(namespace ?? '');
  }

  async load(namespace?: string): Promise<Permissions> {
    const [cluster, inNamespace] = await Promise.all([
      this.rulesIn(undefined),
      namespace ? this.rulesIn(namespace) : undefined,
    ]);
    const permissions = derivePermissions(cluster, namespace || undefined, inNamespace);
    this.known.set(namespace ?? '', permissions);
    return permissions;
  }

  private rulesIn(namespace: string | undefined): Promise<readonly ResourceRule[]> {
    const key = namespace ?? '';
    let rules = this.rules.get(key);
    if (!rules) {
      rules = execute(this.client, RulesReviewDocument, { namespace }).then(
        (data) => data.rulesReview.resourceRules,
      );
      // A failed question is asked again next time rather than remembered.
      rules.catch(() => this.rules.delete(key));
      this.rules.set(key, rules);
    }
    return rules;
  }
}
