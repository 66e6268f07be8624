import type { PolicyRule } from '../../schema/kinds/rbac-shapes.ts';
import type { AccessAttributes, Subject } from './access-attributes.ts';
import { ruleAllows } from './policy-rule.ts';
import type { RbacIndex } from './rbac-index.ts';
import { serviceAccountOf } from './service-account-names.ts';

/** What RBAC grants one caller in one namespace, and the answers already given from it. */
interface Grants {
  ruleSets: ReadonlyArray<readonly PolicyRule[]>;
  /** Whether a rule names objects (resourceNames): then an answer holds for its object only. */
  byName: boolean;
  decisions: Map<string, boolean>;
}

/**
 * Remembered answers are dropped all at once past this many, or when a Role, ClusterRole or
 * binding changes: a client's requests repeat the same few questions, so the bound is rarely met.
 */
const MAX_REMEMBERED = 50_000;

/**
 * RBAC's answers, remembered per caller, namespace and request until the RBAC objects change
 * (the index's generation): the rules a caller holds are gathered from its bindings once, not
 * on every request and every edge a GraphQL query follows. Only RBAC's own answers: what else
 * decides (the Node authorizer's object graph) is asked every time.
 */
export class RbacDecisions {
  private generation = -1;
  private grants = new Map<string, Grants>();
  private remembered = 0;

  constructor(private readonly index: RbacIndex) {}

  /** Whether a rule the caller holds where it asks covers the request. */
  allows(attrs: AccessAttributes): boolean {
    const grants = this.grantsOf(attrs, attrs.namespace);
    const key = requestKey(attrs, grants.byName);
    let allowed = grants.decisions.get(key);
    if (allowed === undefined) {
      allowed = grants.ruleSets.some((rules) => rules.some((rule) => ruleAllows(rule, attrs)));
      grants.decisions.set(key, allowed);
      this.remembered++;
    }
    return allowed;
  }

  /** The rules of each role bound to the subject that hold in `namespace` (cluster-wide ones only, without one). */
  ruleSets(subject: Subject, namespace: string | undefined): ReadonlyArray<readonly PolicyRule[]> {
    return this.grantsOf(subject, namespace).ruleSets;
  }

  private grantsOf(subject: Subject, namespace: string | undefined): Grants {
    if (this.generation !== this.index.generation || this.remembered >= MAX_REMEMBERED) {
      this.generation = this.index.generation;
      this.grants.clear();
      this.remembered = 0;
    }
    const key = callerKey(subject, namespace);
    let grants = this.grants.get(key);
    if (!grants) {
      const ruleSets = this.index.grantsOf(subjectKeys(subject), namespace).map((g) => this.index.rulesOf(g));
      const byName = ruleSets.some((rules) => rules.some((rule) => rule.resourceNames?.length));
      grants = { ruleSets, byName, decisions: new Map() };
      this.grants.set(key, grants);
      this.remembered++;
    }
    return grants;
  }
}

/** The index's keys for a subject: its user, its groups and, for a ServiceAccount's user, the account. */
function subjectKeys(subject: Subject): string[] {
  const keys = [`User:${subject.user}`, ...subject.groups.map((group) => `Group:${group}`)];
  const account = serviceAccountOf(subject.user);
  if (account) keys.push(`ServiceAccount:${account.namespace}/${account.name}`);
  return keys;
}

/** The caller and namespace, each part prefixed by its length so that no two callers share a key. */
function callerKey(subject: Subject, namespace: string | undefined): string {
  let key = part(namespace) + part(subject.user);
  for (const group of subject.groups) key += part(group);
  return key;
}

/** What a rule reads of a request, as callerKey's; its object's name only when a rule could narrow to it. */
function requestKey(attrs: AccessAttributes, byName: boolean): string {
  const key = part(attrs.verb) + part(attrs.apiGroup) + part(attrs.resource) + part(attrs.subresource);
  return byName ? key + part(attrs.name) : key;
}

function part(value: string | undefined): string {
  return value === undefined ? '-' : `${value.length}:${value}`;
}
