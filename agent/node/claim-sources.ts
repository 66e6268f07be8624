import { createInformer, type Informer, type KubeqlClient } from '../../client/index.ts';
import type { ClaimObject, VolumeObject } from '../controllers/persistent-volume/storage-objects.ts';

/** What a pod's persistentVolumeClaim volumes are resolved through: the claim, then its volume. */
export interface ClaimReader {
  claim(namespace: string, name: string): ClaimObject | undefined;
  volume(name: string): VolumeObject | undefined;
}

/**
 * The node agent's caches of PersistentVolumeClaims and PersistentVolumes (one informer
 * each, over all namespaces), and the news of a volume deleted, for the node to remove
 * the storage it kept for it. Objects returned are shared with the cache: never mutate them.
 */
export class ClaimSources implements ClaimReader {
  private readonly claims: Informer<ClaimObject>;
  private readonly volumes: Informer<VolumeObject>;

  constructor(client: KubeqlClient, options: { onError: (error: unknown) => void }) {
    this.claims = createInformer<ClaimObject>(client, 'PersistentVolumeClaim', {}, options);
    this.volumes = createInformer<VolumeObject>(client, 'PersistentVolume', {}, options);
  }

  start(): this {
    this.claims.start();
    this.volumes.start();
    return this;
  }

  async stop(): Promise<void> {
    await Promise.all([this.claims.stop(), this.volumes.stop()]);
  }

  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all([this.claims.waitForSync(signal), this.volumes.waitForSync(signal)]);
  }

  claim(namespace: string, name: string): ClaimObject | undefined {
    return this.claims.get(`${namespace}/${name}`);
  }

  volume(name: string): VolumeObject | undefined {
    return this.volumes.get(name);
  }

  /** Calls `listener` with each volume deleted from the API (its last state); returns the unregistering function. */
  onVolumeDeleted(listener: (volume: VolumeObject) => void): () => void {
    return this.volumes.addEventHandler({ onDelete: listener });
  }
}
