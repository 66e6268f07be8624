import { TimeSlices } from '../../lib/time-slices.ts';
import { fieldError } from '../../schema/field-error.ts';
import type { KindDefinition, Resource } from '../../schema/kind.ts';
import { noMatchesForVersion } from '../../schema/kind-versions.ts';
import { kindByName } from '../../schema/kinds/index.ts';
import { isPlainObject } from '../../schema/shape-check.ts';
import { toStoredVersion } from '../conversion/served-versions.ts';
import { ApiError, invalid } from '../errors.ts';
import { objectKey, type Store, type WriteOp } from '../store/store.ts';
import { appliedConfig } from '../apply/applied-config.ts';
import type { FieldOwner } from '../apply/field-manager.ts';
import type { ApplyOptions } from '../apply/server-side-apply.ts';
import { NodeTunnels } from '../tunnel/node-tunnels.ts';
import type { WatchHub, WatchItem } from '../watch/hub.ts';
import { compileFilter, requiredNodeName, type Selection } from './filter.ts';
import { parseManifests } from './manifests/manifests.ts';
import { randomSuffix } from './object-meta.ts';
import { applyPatch, checkPatch, type PatchType } from './patch.ts';
import { get, list, type ListOptions, type ListResult } from './reads.ts';
import type { ReadGuard } from './read-guard.ts';
import type { ReadRecorder } from './read-recorder.ts';
import type { WriteGuard } from './write-guard.ts';
import type { UnknownFieldPolicy } from './unknown-fields.ts';
import { Writes, type Admissions, type Change, type DeleteOptions } from './writes.ts';
import { selectedName } from '../auth/selected-name.ts';

/** Every write names its manager (FieldOwner) for managedFields; the API's default otherwise. */
export interface WriteOptions extends UnknownFieldPolicy, FieldOwner {
  /** Run admission and return the result without storing it. */
  dryRun?: boolean;
  /** Receives admission's annotations for the request's audit event. */
  annotate?: (key: string, value: string) => void;
}

export interface PatchOptions extends WriteOptions {
  /** JSON merge patch unless said otherwise. */
  type?: PatchType;
}

export interface WatchOptions extends Selection {
  resourceVersion?: string;
  sendInitialEvents?: boolean;
  allowBookmarks?: boolean;
}

/**
 * The API's operations on objects, independent of GraphQL: what every resolver calls.
 * Reads come from the store's committed state; writes become store decisions
 * (resources/writes.ts) committed atomically; watches come from the hub.
 */
export class ResourceService {
  private readonly writes: Writes;
  private reads?: ReadRecorder;
  private guard?: ReadGuard;
  private admission?: WriteGuard;
  /** The node agents' tunnels, through which pod logs and exec reach the nodes. */
  readonly tunnels = new NodeTunnels();

  constructor(
    readonly store: Store,
    readonly hub: WatchHub,
    admissions: Admissions,
  ) {
    this.writes = new Writes(admissions);
  }

  /**
   * This service, telling `recorder` what each read reads (a live query's dependencies,
   * server/live/). A view sharing everything else with this one.
   */
  recording(recorder: ReadRecorder): ResourceService {
    const view = Object.create(this) as ResourceService;
    view.reads = recorder;
    return view;
  }

  /** This service, asking `guard` before each read (a caller's authorization); a view as `recording`'s. */
  guarding(guard: ReadGuard): ResourceService {
    const view = Object.create(this) as ResourceService;
    view.guard = guard;
    return view;
  }

  /** This service, asking `guard` before it stores each object it writes; a view as `recording`'s. */
  admitting(guard: WriteGuard): ResourceService {
    const view = Object.create(this) as ResourceService;
    view.admission = guard;
    return view;
  }

  /**
   * This service without the caller's read guard: for a field whose own authorization covers
   * what it reads (a pod's log needs `get pods/log`, not `get pods`, as in Kubernetes).
   */
  unguarded(): ResourceService {
    if (!this.guard) return this;
    const view = Object.create(this) as ResourceService;
    view.guard = undefined;
    return view;
  }

  /**
   * Whether the object exists, asked by authorization itself (is an apply a create or a
   * patch?): neither guarded nor recorded.
   */
  exists(def: KindDefinition, namespace: string | undefined, name: string): boolean {
    return get(this.store, def, namespace, name) !== undefined;
  }

  get(def: KindDefinition, namespace: string | undefined, name: string): Resource | undefined {
    this.guard?.(def, 'get', namespace, name);
    this.reads?.object(objectKey(def.kind, def.namespaced ? namespace : undefined, name));
    return get(this.store, def, namespace, name);
  }

  list(def: KindDefinition, options: ListOptions): ListResult {
    this.guard?.(def, 'list', options.namespace, selectedName(options.fieldSelector));
    this.reads?.list(def.kind, compileFilter(def, options));
    return list(this.store, def, options);
  }

  byUid(uid: string): Resource | undefined {
    this.reads?.uid(uid);
    const key = this.store.objects.keyOfUid(uid);
    const obj = key ? this.store.get(key) : undefined;
    if (obj && this.guard)
      this.guard(kindByName(obj.kind)!, 'get', obj.metadata.namespace, obj.metadata.name);
    return obj;
  }

  /** Objects found under a secondary index value (owner uid, node name, involved object uid). */
  lookup(index: string, value: string, kind?: string): Resource[] {
    this.reads?.lookup(index, value, kind);
    const found = this.store.objects.lookup(index, value);
    const matching = kind ? found.filter((obj) => obj.kind === kind) : found;
    // Asked per namespace found: an edge's objects share its owner's namespace, or span many (Node.pods).
    if (this.guard)
      for (const key of new Set(matching.map((obj) => `${obj.kind}/${obj.metadata.namespace ?? ''}`))) {
        const [kindName, namespace] = key.split('/');
        this.guard(kindByName(kindName)!, 'list', namespace || undefined);
      }
    return matching;
  }

  watch(def: KindDefinition, options: WatchOptions): AsyncIterableIterator<WatchItem> {
    return this.hub.watch({
      kind: def.kind,
      apiVersion: def.apiVersion,
      filter: compileFilter(def, options),
      nodeName: requiredNodeName(options.fieldSelector),
      ...options,
    });
  }

  async create(
    def: KindDefinition,
    namespace: string | undefined,
    manifest: unknown,
    options: WriteOptions = {},
  ) {
    // A generated name can collide: 27^5 suffixes give even odds of one collision at about
    // 6,000 pods of one ReplicaSet. Like Kubernetes, pick another suffix and try again.
    for (let attempt = 1; ; attempt++) {
      const obj = this.decode(def, manifest, namespace, options);
      try {
        return await this.run(this.writes.create(def, obj, options), options);
      } catch (error) {
        const generated =
          isPlainObject(manifest) && !(manifest.metadata as { name?: string } | undefined)?.name;
        if (!(generated && error instanceof ApiError && error.code === 'ALREADY_EXISTS' && attempt < 8))
          throw error;
      }
    }
  }

  async replace(
    def: KindDefinition,
    namespace: string | undefined,
    name: string,
    manifest: unknown,
    options: WriteOptions = {},
  ) {
    const obj = this.decode(def, manifest, namespace, options);
    if (obj.metadata.name !== name) {
      throw new ApiError(
        'BAD_REQUEST',
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    return this.run(this.writes.replace(def, obj, options), options);
  }

  async patch(
    def: KindDefinition,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    options: PatchOptions = {},
  ) {
    return this.modify(def, namespace, name, patchChange(def, name, patch, options), options);
  }

  /**
   * Changes the object by a function of the object as stored when the write commits (the
   * scale subresource's way to a spec change), through the same path as a patch.
   */
  async modify(
    def: KindDefinition,
    namespace: string | undefined,
    name: string,
    change: Change,
    options: WriteOptions = {},
  ) {
    return this.run(this.writes.patch(def, this.namespaceOf(def, namespace), name, change, options), options);
  }

  /**
   * Server-side apply of one configuration (a PATCH of type application/apply-patch+yaml):
   * created when absent, merged with field ownership otherwise (server/apply/).
   */
  async serverSideApply(
    def: KindDefinition,
    namespace: string | undefined,
    name: string,
    config: unknown,
    options: WriteOptions & ApplyOptions = {},
  ) {
    const obj = appliedConfig(def, config, this.namespaceOf(def, namespace), name, options);
    return this.run(this.writes.serverSideApply(def, obj, options), options);
  }

  async scale(def: KindDefinition, namespace: string | undefined, name: string, replicas: number) {
    return this.run(this.writes.scale(def, this.namespaceOf(def, namespace), name, replicas), {});
  }

  async updateStatus(
    def: KindDefinition,
    namespace: string | undefined,
    name: string,
    status: unknown,
    resourceVersion?: string,
    options: WriteOptions = {},
  ) {
    return this.run(
      this.writes.updateStatus(def, this.namespaceOf(def, namespace), name, status, resourceVersion, options),
      options,
    );
  }

  /** A patch of the status subresource: applied to the whole object, of which only the status is kept. */
  async patchStatus(
    def: KindDefinition,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    options: PatchOptions = {},
  ) {
    const change = patchChange(def, name, patch, options);
    return this.run(
      this.writes.patchStatus(def, this.namespaceOf(def, namespace), name, change, options),
      options,
    );
  }

  async bind(def: KindDefinition, namespace: string, name: string, nodeName: string) {
    return this.run(this.writes.bind(def, namespace, name, nodeName), {});
  }

  async delete(
    def: KindDefinition,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions & WriteOptions,
  ) {
    return this.run(this.writes.delete(def, this.namespaceOf(def, namespace), name, options), options);
  }

  /**
   * Deletes every object of the kind the selection matches, each as `delete` would, and
   * returns them as the deletions left them. Not all or nothing, as in Kubernetes: an
   * object already gone meanwhile is skipped, any other failure fails the request.
   */
  async deleteCollection(
    def: KindDefinition,
    selection: Selection,
    options: DeleteOptions & WriteOptions,
  ): Promise<Resource[]> {
    const { items } = this.list(def, selection);
    const results = await Promise.all(
      items.map((obj) =>
        this.delete(def, obj.metadata.namespace, obj.metadata.name!, options).catch((error: unknown) => {
          if (error instanceof ApiError && error.code === 'NOT_FOUND') return undefined;
          throw error;
        }),
      ),
    );
    return results.filter((obj): obj is Resource => obj !== undefined);
  }

  /**
   * Creates or updates every manifest in the text (JSON, or YAML with several
   * documents), all or nothing: one invalid manifest and none is written. With
   * `serverSide`, each is server-side applied as `fieldManager` (serverSideApply).
   */
  async apply(
    text: string,
    namespace: string | undefined,
    options: WriteOptions & ApplyOptions & { serverSide?: boolean } = {},
  ): Promise<Resource[]> {
    if (options.serverSide && !options.fieldManager)
      throw new ApiError('BAD_REQUEST', 'fieldManager is required for server-side apply');
    const manifests = await parseManifests(text);
    // Up to maxObjects manifests: decoded in slices, so the event loop serves others between them.
    const slices = new TimeSlices();
    const ops: WriteOp[] = [];
    for (const [i, written] of manifests.entries()) {
      await slices.pause();
      try {
        // A kind served at more than one version is applied as the store keeps it.
        const manifest = toStoredVersion(written);
        const def = this.kindOf(manifest);
        const op = options.serverSide
          ? this.writes.serverSideApply(
              def,
              appliedConfig(def, manifest, this.namespaceOf(def, namespace), undefined, options),
              options,
            )
          : this.writes.apply(def, this.decode(def, manifest, namespace), options);
        ops.push(this.admitted(op));
      } catch (error) {
        if (error instanceof ApiError && manifests.length > 1) {
          throw new ApiError(
            error.code,
            `manifest ${i + 1} of ${manifests.length}: ${error.message}`,
            causesOf(error),
          );
        }
        throw error;
      }
    }
    if (ops.length === 0) throw new ApiError('BAD_REQUEST', 'no objects passed to apply');
    if (!options.dryRun) return (await this.store.commit(ops)) as Resource[];
    const results: Resource[] = [];
    for (const op of ops) {
      await slices.pause();
      results.push(this.dryRun(op)!);
    }
    return results;
  }

  private async run(write: WriteOp, options: WriteOptions): Promise<Resource | undefined> {
    const op = this.admitted(write);
    if (options.dryRun) return this.dryRun(op);
    const [result] = await this.store.commit([op]);
    return result;
  }

  /** The write, asking the view's admission about the object it decides to store. */
  private admitted(op: WriteOp): WriteOp {
    const admission = this.admission;
    if (!admission) return op;
    return {
      ...op,
      decide: (current, tx) => {
        const outcome = op.decide(current, tx);
        if ('put' in outcome) admission(outcome.put, current, tx);
        return outcome;
      },
    };
  }

  private dryRun(op: WriteOp): Resource | undefined {
    const current = this.store.get(op.key);
    const outcome = op.decide(current, {
      get: (key) => this.store.get(key),
      list: (kind) => this.store.objects.ofKind(kind).values(),
    });
    if ('put' in outcome) return outcome.put;
    return current;
  }

  private kindOf(manifest: unknown): KindDefinition {
    const kind = isPlainObject(manifest) ? manifest.kind : undefined;
    if (typeof kind !== 'string' || !kind)
      throw invalid('Object', '', [fieldError('kind', 'Required', "Object 'Kind' is missing")]);
    const def = kindByName(kind);
    if (!def)
      throw new ApiError(
        'BAD_REQUEST',
        `no kind "${kind}" is registered; see the schema for the kinds this cluster serves`,
      );
    const apiVersion = (manifest as { apiVersion?: unknown }).apiVersion;
    if (typeof apiVersion === 'string' && apiVersion && apiVersion !== def.apiVersion)
      throw new ApiError('BAD_REQUEST', noMatchesForVersion(kind, apiVersion, def.apiVersion));
    return def;
  }

  private namespaceOf(def: KindDefinition, namespace: string | undefined): string | undefined {
    return def.namespaced ? (namespace ?? 'default') : undefined;
  }

  /** A manifest checked against the kind's shape and given its final name and namespace. */
  private decode(
    def: KindDefinition,
    manifest: unknown,
    namespace: string | undefined,
    policy: UnknownFieldPolicy = {},
  ): Resource {
    if (isPlainObject(manifest)) {
      manifest.apiVersion ??= def.apiVersion;
      manifest.kind ??= def.kind;
    }
    this.writes.checkShape(def, manifest, policy);
    const obj = structuredClone(manifest) as Resource;
    if (obj.kind !== def.kind) {
      throw invalid(def.kind, obj.metadata?.name ?? '', [
        fieldError('kind', 'Invalid', `must be "${def.kind}"`),
      ]);
    }
    obj.metadata ??= {};
    if (def.namespaced) {
      const own = obj.metadata.namespace;
      if (own && namespace && own !== namespace) {
        throw new ApiError(
          'BAD_REQUEST',
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      obj.metadata.namespace = own || namespace || 'default';
    }
    if (!obj.metadata.name && obj.metadata.generateName)
      obj.metadata.name = obj.metadata.generateName + randomSuffix();
    if (!obj.metadata.name) {
      throw invalid(def.kind, '', [
        fieldError('metadata.name', 'Required', 'name or generateName is required'),
      ]);
    }
    return obj;
  }
}

function causesOf(error: ApiError) {
  const causes = (error.extensions.causes ?? []) as Array<{ field: string; reason: string; message: string }>;
  return causes.map((c) => fieldError(c.field, c.reason as never, c.message));
}

/** A patch of the kind given (JSON merge patch by default), checked, as a change to the stored object. */
function patchChange(def: KindDefinition, name: string, patch: unknown, options: PatchOptions): Change {
  const type = options.type ?? 'merge';
  checkPatch(type, def.kind, name, patch);
  return (obj) => applyPatch(type, def.shape, obj, patch);
}
