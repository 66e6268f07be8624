import { isCode, type Informer } from '../../../client/index.ts';
import { isNodeReady } from '../../node-eligibility.ts';
import type { NodeObject, PodObject } from '../../objects.ts';
import { isPodFinished } from '../../pod-state.ts';
import { timestamp } from '../../timestamps.ts';
import { ReconcilingController, type ControllerContext, type ControllerFactory } from '../controller.ts';
import type { ReconcileResult } from '../reconcile-loop.ts';
import { claimsOf } from './claim-users.ts';
import { newLocalPathVolume, provisionedVolumeName } from './local-path.ts';
import {
  BETA_STORAGE_PROVISIONER,
  BIND_COMPLETED,
  BOUND_BY_CONTROLLER,
  CLAIM_KEY,
  claimClass,
  claimKey,
  HOSTNAME_LABEL,
  LOCAL_PATH_PROVISIONER,
  PROVISIONED_BY,
  SELECTED_NODE,
  STORAGE_PROVISIONER,
  VOLUME_KEY,
  type ClaimObject,
  type StorageClassObject,
  type VolumeObject,
} from './storage-objects.ts';
import { findMatchingVolume, volumeSatisfies } from './volume-matching.ts';

type VolumePhase = NonNullable<VolumeObject['status']>['phase'];

/** How long an Immediate claim of the local-path class waits for a ready node before trying again. */
const NO_NODE_RETRY_MS = 5000;

/**
 * Kubernetes' PersistentVolume binder (the persistentvolume-binder controller) with the
 * local-path provisioner built in. Claims and volumes are reconciled in one loop, under
 * `claim:<namespace>/<name>` and `volume:<name>`:
 *
 * - An unbound claim is bound to the smallest free volume that satisfies it (or the one
 *   pre-bound to it). Failing that, a claim of a class whose provisioner is
 *   kubeql.io/local-path gets a volume made for it, pre-bound and pinned to one node:
 *   for an Immediate class any ready node, for a WaitForFirstConsumer class the node of
 *   the first pod using the claim (recorded on the claim as `selected-node`); until
 *   such a pod is scheduled the claim stays Pending. Binding writes the volume's
 *   claimRef first (its resourceVersion guards against two claims taking it), then the
 *   claim's volumeName, then both statuses Bound; each half set by the controller is
 *   annotated `bound-by-controller`, and the claim `bind-completed`.
 * - A volume whose claim is gone is Released; then the Delete policy deletes it if this
 *   provisioner made it (the node agent removes its directory), Retain keeps it, and
 *   what cannot be deleted here is Failed.
 *
 * Contract: idempotent, from the caches; each step is a single write whose precondition
 * is the cached resourceVersion, so a stale cache costs a CONFLICT and a retry with
 * back-off, never a double binding. A volume's claim is confirmed gone with the API
 * before the volume is released.
 */
export class PersistentVolumeController extends ReconcilingController {
  private readonly claims: Informer<ClaimObject>;
  private readonly volumes: Informer<VolumeObject>;
  private readonly classes: Informer<StorageClassObject>;
  private readonly pods: Informer<PodObject>;
  private readonly nodes: Informer<NodeObject>;

  constructor(ctx: ControllerContext) {
    super('persistentvolume-binder', ctx);
    this.claims = ctx.informers.get<ClaimObject>('PersistentVolumeClaim');
    this.volumes = ctx.informers.get<VolumeObject>('PersistentVolume');
    this.classes = ctx.informers.get<StorageClassObject>('StorageClass');
    this.pods = ctx.informers.get<PodObject>('Pod');
    this.nodes = ctx.informers.get<NodeObject>('Node');
  }

  /**
   * Syncs one claim (`claim:<namespace>/<name>`: bind, provision, or record why it waits)
   * or one volume (`volume:<name>`: its phase, release and reclaim). Idempotent, from the
   * caches; a stale cache throws CONFLICT and the key is retried. Asks to be called
   * again only while an Immediate local-path claim has no ready node to go to.
   */
  async reconcile(key: string): Promise<ReconcileResult | void> {
    if (key.startsWith(VOLUME_KEY)) return this.syncVolume(key.slice(VOLUME_KEY.length));
    return this.syncClaim(key.slice(CLAIM_KEY.length));
  }

  protected register(): void {
    const enqueueClaim = (key: string) => this.loop.enqueue(CLAIM_KEY + key);
    const enqueueVolume = (name: string | undefined) => name && this.loop.enqueue(VOLUME_KEY + name);
    const onClaim = (claim: ClaimObject) => {
      enqueueClaim(claimKey(claim.metadata.namespace, claim.metadata.name));
      enqueueVolume(claim.spec?.volumeName);
    };
    this.watch(this.claims, { onAdd: onClaim, onUpdate: (_old, claim) => onClaim(claim), onDelete: onClaim });
    const onVolume = (volume: VolumeObject) => {
      enqueueVolume(volume.metadata.name);
      const ref = volume.spec?.claimRef;
      if (ref?.name) enqueueClaim(claimKey(ref.namespace, ref.name));
      // A free volume may be what a waiting claim asks for (by name, or by fitting it).
      else if (!volume.metadata.deletionTimestamp) {
        for (const claim of this.claims.list()) {
          if (
            claim.status?.phase === 'Pending' &&
            (claim.spec?.volumeName ?? volume.metadata.name) === volume.metadata.name
          )
            enqueueClaim(claimKey(claim.metadata.namespace, claim.metadata.name));
        }
      }
    };
    this.watch(this.volumes, {
      onAdd: onVolume,
      onUpdate: (_old, volume) => onVolume(volume),
      onDelete: onVolume,
    });
    // A claim may come before its class: look at the class's waiting claims again when it appears.
    const onClass = (storageClass: StorageClassObject) => {
      for (const claim of this.claims.list()) {
        if (!claim.spec?.volumeName && claimClass(claim) === storageClass.metadata.name)
          enqueueClaim(claimKey(claim.metadata.namespace, claim.metadata.name));
      }
    };
    this.watch(this.classes, { onAdd: onClass, onUpdate: (_old, storageClass) => onClass(storageClass) });
    // A scheduled pod is the first consumer WaitForFirstConsumer claims wait for.
    const onPod = (pod: PodObject) => {
      if (pod.spec?.nodeName) for (const key of claimsOf(pod)) enqueueClaim(key);
    };
    this.watch(this.pods, { onAdd: onPod, onUpdate: (_old, pod) => onPod(pod) });
  }

  private async syncClaim(key: string): Promise<ReconcileResult | void> {
    const claim = this.claims.get(key);
    if (!claim?.spec) return;
    if (claim.spec.volumeName) return this.syncClaimWithVolumeName(claim, claim.spec.volumeName);
    return this.syncUnboundClaim(claim);
  }

  /** A claim naming its volume: finish the binding, or say why it cannot be. */
  private async syncClaimWithVolumeName(claim: ClaimObject, volumeName: string): Promise<void> {
    const volume = this.volumes.get(volumeName);
    if (!volume) {
      if (claim.status?.phase === 'Bound') {
        await this.setClaimPhase(claim, 'Lost');
        this.ctx.events.record(
          claim,
          'Warning',
          'ClaimLost',
          'Bound claim has lost its PersistentVolume. Data on the volume is lost!',
        );
      }
      return;
    }
    const ref = volume.spec?.claimRef;
    if (ref && (ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace)) {
      this.ctx.events.record(
        claim,
        'Warning',
        'FailedBinding',
        `volume "${volumeName}" already bound to a different claim.`,
      );
      return;
    }
    if (ref?.uid && ref.uid !== claim.metadata.uid) {
      this.ctx.events.record(
        claim,
        'Warning',
        'FailedBinding',
        `volume "${volumeName}" is bound to an older claim of this name.`,
      );
      return;
    }
    if (!ref && !volumeSatisfies(volume, claim)) {
      this.ctx.events.record(
        claim,
        'Warning',
        'VolumeMismatch',
        `Cannot bind to requested volume "${volumeName}": it does not satisfy the claim (class, access modes, size or volume mode)`,
      );
      return;
    }
    await this.bind(claim, volume);
  }

  private async syncUnboundClaim(found: ClaimObject): Promise<ReconcileResult | void> {
    // A claim on its way out is given no volume: one bound now would only be released.
    if (found.metadata.deletionTimestamp) return;
    let claim = found;
    const className = claimClass(claim);
    const storageClass = className ? this.classes.get(className) : undefined;
    const waitsForConsumer = storageClass?.volumeBindingMode === 'WaitForFirstConsumer';
    let nodeName = claim.metadata.annotations?.[SELECTED_NODE];
    if (waitsForConsumer && !nodeName) {
      nodeName = this.firstConsumerNode(claim);
      if (!nodeName) {
        this.ctx.events.record(
          claim,
          'Normal',
          'WaitForFirstConsumer',
          'waiting for first consumer to be created before binding',
        );
        return;
      }
    }
    const node = nodeName && waitsForConsumer ? this.nodeNamed(nodeName) : undefined;
    const volume = findMatchingVolume(claim, this.volumes.list(), node);
    if (volume) {
      await this.bind(claim, volume);
      return;
    }
    if (!storageClass) {
      if (className) {
        this.ctx.events.record(
          claim,
          'Warning',
          'ProvisioningFailed',
          `storageclass.storage.k8s.io "${className}" not found`,
        );
      } else {
        this.ctx.events.record(
          claim,
          'Normal',
          'FailedBinding',
          'no persistent volumes available for this claim and no storage class is set',
        );
      }
      return;
    }
    const provisioner = storageClass.provisioner;
    if (provisioner !== LOCAL_PATH_PROVISIONER) {
      this.ctx.events.record(
        claim,
        'Normal',
        'ExternalProvisioning',
        `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
      );
      return;
    }
    nodeName ??= this.nodeForImmediateClaim(claim);
    if (!nodeName) {
      this.ctx.events.record(
        claim,
        'Warning',
        'ProvisioningFailed',
        'no ready node to provision the volume on',
      );
      return { requeueAfterMs: NO_NODE_RETRY_MS };
    }
    claim = await this.annotate(claim, {
      [STORAGE_PROVISIONER]: provisioner,
      [BETA_STORAGE_PROVISIONER]: provisioner,
      ...(waitsForConsumer ? { [SELECTED_NODE]: nodeName } : {}),
    });
    await this.bind(claim, await this.provision(claim, storageClass, nodeName));
  }

  /** Makes the claim's volume (or finds the one an earlier attempt made). */
  private async provision(
    claim: ClaimObject,
    storageClass: StorageClassObject,
    nodeName: string,
  ): Promise<VolumeObject> {
    const { namespace, name } = claim.metadata;
    this.ctx.events.record(
      claim,
      'Normal',
      'Provisioning',
      `External provisioner is provisioning volume for claim "${namespace}/${name}"`,
    );
    let volume: VolumeObject;
    try {
      volume = await this.ctx.writer.create(newLocalPathVolume(claim, storageClass, nodeName));
    } catch (error) {
      if (!isCode(error, 'ALREADY_EXISTS')) throw error;
      const existing = await this.ctx.client.get<VolumeObject>(
        'PersistentVolume',
        provisionedVolumeName(claim),
      );
      if (!existing) throw error;
      return existing;
    }
    this.ctx.events.record(
      claim,
      'Normal',
      'ProvisioningSucceeded',
      `Successfully provisioned volume ${volume.metadata.name}`,
    );
    return volume;
  }

  /**
   * Both halves of a binding, each written only when missing, volume first: its
   * claimRef (and Bound), then the claim's volumeName with its annotations (and Bound,
   * with the volume's capacity and access modes).
   */
  private async bind(claim: ClaimObject, found: VolumeObject): Promise<void> {
    let volume = found;
    const { namespace, name, uid } = claim.metadata;
    const ref = volume.spec?.claimRef;
    if (ref?.uid !== uid || ref?.name !== name || ref?.namespace !== namespace) {
      const annotations = { ...volume.metadata.annotations };
      if (!ref) annotations[BOUND_BY_CONTROLLER] = 'yes';
      volume = await this.ctx.writer.replace<VolumeObject>({
        ...volume,
        metadata: { ...volume.metadata, annotations },
        spec: {
          ...volume.spec,
          claimRef: {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            namespace,
            name,
            uid,
            resourceVersion: claim.metadata.resourceVersion,
          },
        },
      });
    }
    if (volume.status?.phase !== 'Bound') volume = await this.setVolumePhase(volume, 'Bound');

    let bound = claim;
    const volumeName = volume.metadata.name!;
    if (claim.spec?.volumeName !== volumeName || claim.metadata.annotations?.[BIND_COMPLETED] !== 'yes') {
      const annotations: Record<string, string> = { ...claim.metadata.annotations, [BIND_COMPLETED]: 'yes' };
      if (claim.spec?.volumeName !== volumeName) annotations[BOUND_BY_CONTROLLER] = 'yes';
      bound = await this.ctx.writer.replace<ClaimObject>({
        ...claim,
        metadata: { ...claim.metadata, annotations },
        spec: { ...claim.spec, volumeName },
      });
    }
    const status = bound.status;
    if (
      status?.phase !== 'Bound' ||
      JSON.stringify(status.capacity) !== JSON.stringify(volume.spec?.capacity) ||
      JSON.stringify(status.accessModes) !== JSON.stringify(volume.spec?.accessModes)
    ) {
      await this.ctx.writer.updateStatus(
        bound,
        { ...status, phase: 'Bound', capacity: volume.spec?.capacity, accessModes: volume.spec?.accessModes },
        bound.metadata.resourceVersion,
      );
    }
  }

  private async syncVolume(name: string): Promise<void> {
    const volume = this.volumes.get(name);
    if (!volume?.spec) return;
    const ref = volume.spec.claimRef;
    if (!ref) {
      if (volume.status?.phase === 'Pending' || volume.status?.phase === 'Released')
        await this.setVolumePhase(volume, 'Available');
      return;
    }
    const key = claimKey(ref.namespace, ref.name);
    const claim = this.claims.get(key) ?? (await this.claimFromApi(ref.namespace, ref.name));
    if (claim && (!ref.uid || ref.uid === claim.metadata.uid)) {
      // Pre-bound by hand (no uid yet): free until its claim's sync binds it.
      if (!ref.uid) {
        if (volume.status?.phase === 'Pending') await this.setVolumePhase(volume, 'Available');
      } else if (claim.spec?.volumeName === name) {
        if (volume.status?.phase !== 'Bound') await this.setVolumePhase(volume, 'Bound');
      } else if (claim.spec?.volumeName && volume.metadata.annotations?.[BOUND_BY_CONTROLLER]) {
        // The claim went to another volume meanwhile: free this one again.
        await this.unbind(volume);
      }
      return;
    }
    if (!claim && !ref.uid) {
      if (volume.status?.phase === 'Pending') await this.setVolumePhase(volume, 'Available');
      return;
    }
    await this.reclaim(volume);
  }

  /** A volume whose claim is gone: Released, then deleted, kept or Failed by its reclaim policy. */
  private async reclaim(found: VolumeObject): Promise<void> {
    let volume = found;
    const phase = volume.status?.phase;
    if (phase === 'Failed') return;
    if (phase !== 'Released') volume = await this.setVolumePhase(volume, 'Released');
    const policy = volume.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy === 'Retain' || volume.metadata.deletionTimestamp) return;
    if (policy === 'Delete' && volume.metadata.annotations?.[PROVISIONED_BY] === LOCAL_PATH_PROVISIONER) {
      try {
        await this.ctx.writer.delete('PersistentVolume', volume.metadata.name!, undefined);
      } catch (error) {
        if (!isCode(error, 'NOT_FOUND')) throw error;
      }
      return;
    }
    const message =
      policy === 'Delete'
        ? `error getting deleter volume plugin for volume "${volume.metadata.name}": no deletable volume plugin matched`
        : `no volume plugin matched to recycle volume "${volume.metadata.name}"`;
    await this.setVolumePhase(volume, 'Failed', message);
    this.ctx.events.record(
      volume,
      'Warning',
      policy === 'Delete' ? 'VolumeFailedDelete' : 'VolumeFailedRecycle',
      message,
    );
  }

  private async unbind(volume: VolumeObject): Promise<void> {
    const { [BOUND_BY_CONTROLLER]: _, ...annotations } = volume.metadata.annotations ?? {};
    const { claimRef: __, ...spec } = volume.spec ?? {};
    const freed = await this.ctx.writer.replace<VolumeObject>({
      ...volume,
      metadata: { ...volume.metadata, annotations },
      spec,
    });
    await this.setVolumePhase(freed, 'Available');
  }

  /** The claim as the API has it now: the cache may not have seen a claim made a moment ago. */
  private async claimFromApi(
    namespace: string | undefined,
    name: string | undefined,
  ): Promise<ClaimObject | undefined> {
    if (!name) return undefined;
    return (
      (await this.ctx.client.get<ClaimObject>('PersistentVolumeClaim', name, namespace ?? 'default')) ??
      undefined
    );
  }

  private setVolumePhase(volume: VolumeObject, phase: VolumePhase, message?: string): Promise<VolumeObject> {
    const status = { ...volume.status, phase, lastPhaseTransitionTime: timestamp(this.ctx.clock.now()) };
    if (message) status.message = message;
    else delete status.message;
    return this.ctx.writer.updateStatus(volume, status, volume.metadata.resourceVersion);
  }

  private async setClaimPhase(claim: ClaimObject, phase: 'Pending' | 'Bound' | 'Lost'): Promise<void> {
    if (claim.status?.phase === phase) return;
    await this.ctx.writer.updateStatus(claim, { ...claim.status, phase }, claim.metadata.resourceVersion);
  }

  /** Adds annotations the claim lacks; returns the claim as written (or as it was). */
  private async annotate(claim: ClaimObject, wanted: Record<string, string>): Promise<ClaimObject> {
    const annotations = claim.metadata.annotations ?? {};
    if (Object.entries(wanted).every(([key, value]) => annotations[key] === value)) return claim;
    return this.ctx.writer.replace<ClaimObject>({
      ...claim,
      metadata: { ...claim.metadata, annotations: { ...annotations, ...wanted } },
    });
  }

  /** The node of a scheduled pod that mounts the claim: where a WaitForFirstConsumer claim is provisioned. */
  private firstConsumerNode(claim: ClaimObject): string | undefined {
    const key = claimKey(claim.metadata.namespace, claim.metadata.name);
    const consumer = this.pods
      .list(claim.metadata.namespace)
      .find((pod) => pod.spec?.nodeName && !isPodFinished(pod) && claimsOf(pod).includes(key));
    return consumer?.spec?.nodeName;
  }

  /** The node (or, not cached yet, what its name alone says of it: its hostname label). */
  private nodeNamed(name: string): NodeObject {
    return (
      this.nodes.get(name) ?? {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name, labels: { [HOSTNAME_LABEL]: name } },
      }
    );
  }

  /** A ready, schedulable node for a claim that will not wait for its pod, spread over nodes by the claim's uid. */
  private nodeForImmediateClaim(claim: ClaimObject): string | undefined {
    const ready = this.nodes
      .list()
      .filter((node) => isNodeReady(node) && !node.spec?.unschedulable)
      .map((node) => node.metadata.name!)
      .sort();
    if (ready.length === 0) return undefined;
    let hash = 0;
    for (const char of claim.metadata.uid ?? '') hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
    return ready[hash % ready.length];
  }
}

export const persistentVolumeController: ControllerFactory = (ctx) => new PersistentVolumeController(ctx);
