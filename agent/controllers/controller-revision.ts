import { isCode, type Informer, type ResourceWriter } from '../../client/index.ts';
import type { Resource } from '../../client/index.ts';
import type { ControllerRevision } from '../../schema/kinds/controllerrevision.ts';
import type { PodTemplateSpec } from '../../schema/kinds/pod.ts';
import type { LabelSelector } from '../../schema/kinds/meta.ts';
import { selectorMatches } from '../../schema/label-selector.ts';
import { claimObjects, newControllerRef } from './controller-ref.ts';
import { canonicalJson, templateHash } from './template-hash.ts';

/**
 * The history of a StatefulSet's or DaemonSet's pod templates, kept as Kubernetes keeps
 * it: one ControllerRevision per distinct template, named `<owner>-<hash>`, controlled by
 * its owner (so the garbage collector removes it with the owner), numbered in the order
 * the templates were last rolled out. Pods name their revision in `controller-revision-hash`.
 */

export type ControllerRevisionObject = Resource & ControllerRevision;

/** The label carrying a pod's revision: `<owner>-<hash>` on StatefulSet pods, `<hash>` on DaemonSet pods. */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';
/** The label carrying a ControllerRevision's template hash (ControllerRevisionHashLabel). */
export const REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

const DEFAULT_HISTORY_LIMIT = 10;

/** A ControllerRevision's name: `<owner>-<hash>`. */
export function revisionName(owner: string, hash: string): string {
  return `${owner}-${hash}`;
}

/**
 * A revision's `data` as the StatefulSet and DaemonSet controllers write it: a strategic
 * merge patch of the owner that puts the template back whole, which is what
 * `kubectl rollout undo` sends. kubectl decides that a revision is the owner's template
 * already by comparing this JSON byte for byte with the owner's template as Go encodes
 * it, so it is written that way: keys sorted, and the fields Go always writes
 * (`metadata.creationTimestamp: null`, each container's `resources: {}`) present.
 */
export function revisionData(template: PodTemplateSpec): unknown {
  const withGoFields = {
    ...template,
    metadata: { creationTimestamp: null, ...template.metadata },
    spec: template.spec && {
      ...template.spec,
      containers: template.spec.containers?.map(withResources),
      ...(template.spec.initContainers
        ? { initContainers: template.spec.initContainers.map(withResources) }
        : {}),
    },
  };
  return sortedKeys({ spec: { template: { ...withGoFields, $patch: 'replace' } } });
}

function withResources<C extends { resources?: unknown }>(container: C): C {
  return { ...container, resources: container.resources ?? {} };
}

/** A copy with every object's keys in sorted order (as Go encodes maps) and undefined members left out. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined) out[key] = sortedKeys(member);
  }
  return out;
}

/** The pod template a revision holds, or undefined when its data holds none. */
export function revisionTemplate(
  revision: ControllerRevisionObject | undefined,
): PodTemplateSpec | undefined {
  const data = revision?.data as { spec?: { template?: PodTemplateSpec & { $patch?: string } } } | undefined;
  const template = data?.spec?.template;
  if (!template || typeof template !== 'object') return undefined;
  const { $patch: _directive, ...rest } = template;
  const { creationTimestamp: _unset, ...metadata } = (rest.metadata ?? {}) as Record<string, unknown>;
  return { ...rest, metadata };
}

/** What syncing an owner's history found or made. */
export interface OwnerHistory {
  /** The revision of the owner's template now. */
  update: ControllerRevisionObject;
  /** The hash in its name: the template's, with the collision count. */
  hash: string;
  /** status.collisionCount: the owner's, raised once per name found taken by other data. */
  collisionCount?: number;
  /** Every revision of the owner, lowest number first. */
  revisions: ControllerRevisionObject[];
}

/** A StatefulSet or DaemonSet: it selects its revisions by spec.selector. */
type HistoryOwner = Resource & { spec?: { selector?: LabelSelector } };

/** Whether a revision holds this template (history.EqualRevision, on the template rather than its bytes). */
function holdsTemplate(revision: ControllerRevisionObject, template: PodTemplateSpec): boolean {
  return canonicalJson(revisionTemplate(revision)) === canonicalJson(template);
}

/**
 * An owner's ControllerRevisions, read from the shared informer and written through the
 * writer: the owner's history survives the controller (a restarted one reads it back).
 */
export class ControllerHistory {
  constructor(
    private readonly writer: ResourceWriter,
    private readonly informer: Informer<ControllerRevisionObject>,
  ) {}

  /** Whether the cache of revisions has been listed: before that, history cannot be read. */
  hasSynced(): boolean {
    return this.informer.hasSynced();
  }

  /** The revisions `owner` controls (by uid, not a namesake's), lowest number first. */
  owned(owner: Resource): ControllerRevisionObject[] {
    const uid = owner.metadata.uid;
    return this.informer
      .list(owner.metadata.namespace)
      .filter((revision) =>
        revision.metadata.ownerReferences?.some((ref) => ref.controller && ref.uid === uid),
      )
      .sort(byNumber);
  }

  /**
   * Kubernetes' getStatefulSetRevisions / constructHistory: first the owner claims its
   * revisions (ClaimControllerRevisions: orphans its selector matches are adopted, its own
   * that no longer match released); then the revision of `template` is made the newest.
   * Its name hashes the template with `collisionCount`; a name already taken by a revision
   * that is not the owner's with this template is a collision: the count goes up by one
   * and the next name is tried (the caller writes it to status.collisionCount). Already
   * the newest: nothing is written. An older one of the same template (a rollback) is
   * renumbered one above the highest rather than copied; none: one is created, one above
   * the highest. A create that finds the name taken where this cache sees nothing (it is
   * behind its own write) takes the stored one as it is.
   */
  async sync(
    owner: HistoryOwner,
    template: PodTemplateSpec,
    collisionCount: number | undefined,
  ): Promise<OwnerHistory> {
    const revisions = await this.claim(owner);
    let hash = templateHash(template, collisionCount);
    let name = revisionName(owner.metadata.name!, hash);
    let existing = revisions.find((revision) => revision.metadata.name === name);
    let taken = existing ?? this.informer.get(`${owner.metadata.namespace}/${name}`);
    while (taken && !(existing && holdsTemplate(existing, template))) {
      collisionCount = (collisionCount ?? 0) + 1;
      hash = templateHash(template, collisionCount);
      name = revisionName(owner.metadata.name!, hash);
      existing = revisions.find((revision) => revision.metadata.name === name);
      taken = existing ?? this.informer.get(`${owner.metadata.namespace}/${name}`);
    }
    const found = { hash, collisionCount };
    const newest = revisions.at(-1);
    const next = (newest?.revision ?? 0) + 1;
    if (existing && existing === newest) return { ...found, update: existing, revisions };
    let update: ControllerRevisionObject;
    if (existing) {
      update = await this.writer.patch<ControllerRevisionObject>(
        'ControllerRevision',
        name,
        owner.metadata.namespace,
        { revision: next },
      );
    } else {
      update = await this.create(owner, template, hash, next);
    }
    const others = revisions.filter((revision) => revision.metadata.name !== name);
    return { ...found, update, revisions: [...others, update].sort(byNumber) };
  }

  /** The owner's revisions once it has claimed them (see claimObjects), lowest number first. */
  private async claim(owner: HistoryOwner): Promise<ControllerRevisionObject[]> {
    const candidates = this.informer.list(owner.metadata.namespace);
    const selector = owner.spec?.selector;
    const claimed = await claimObjects(
      this.writer,
      owner,
      candidates,
      (revision) => !!selector && selectorMatches(selector, revision.metadata.labels),
    );
    return claimed.sort(byNumber);
  }

  /**
   * Deletes the oldest revisions beyond the owner's revisionHistoryLimit (default 10),
   * never one in `live` (the current and update revisions and every pod's). A revision
   * already gone is no error.
   */
  async truncate(
    owner: Resource,
    revisions: ControllerRevisionObject[],
    live: ReadonlySet<string>,
    limit = DEFAULT_HISTORY_LIMIT,
  ): Promise<void> {
    const history = revisions.filter((revision) => !live.has(revision.metadata.name!));
    const excess = history.slice(0, Math.max(history.length - Math.max(limit, 0), 0));
    for (const revision of excess) {
      try {
        await this.writer.delete('ControllerRevision', revision.metadata.name!, owner.metadata.namespace);
      } catch (error) {
        if (!isCode(error, 'NOT_FOUND')) throw error;
      }
    }
  }

  private async create(
    owner: Resource,
    template: PodTemplateSpec,
    hash: string,
    number: number,
  ): Promise<ControllerRevisionObject> {
    const revision: ControllerRevisionObject = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name: revisionName(owner.metadata.name!, hash),
        namespace: owner.metadata.namespace,
        labels: { ...template.metadata?.labels, [REVISION_HASH_LABEL]: hash },
        ownerReferences: [newControllerRef(owner)],
      },
      data: revisionData(template),
      revision: number,
    };
    try {
      return await this.writer.create(revision);
    } catch (error) {
      if (!isCode(error, 'ALREADY_EXISTS')) throw error;
      return revision;
    }
  }
}

function byNumber(a: ControllerRevisionObject, b: ControllerRevisionObject): number {
  return a.revision - b.revision || (a.metadata.name! < b.metadata.name! ? -1 : 1);
}
