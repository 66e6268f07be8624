import fs from 'node:fs/promises';
import path from 'node:path';
import { systemClock, type Clock } from '../../lib/clock.ts';
import type { Container, Volume } from '../../schema/kinds/pod.ts';
import type { VolumeObject } from '../controllers/persistent-volume/storage-objects.ts';
import type { PodObject } from '../objects.ts';
import { AtomicWriter, type FileProjection } from './atomic-writer.ts';
import type { ClaimReader } from './claim-sources.ts';
import type { ConfigReader } from './config-sources.ts';
import { ContainerConfigError } from './container-config-error.ts';
import { expandArgs } from './env-expansion.ts';
import { checkHostPath } from './host-path.ts';
import { LocalPathStorage } from './local-path-storage.ts';
import type { ServiceAccountTokenManager } from './service-account-token.ts';
import { unmountableReason } from './unmountable-volumes.ts';
import { apiVolumePayload } from './volume-payloads.ts';

export interface VolumeManagerOptions {
  /** The agent's state directory; pods' volumes go under `<root>/pods/<uid>/volumes`. */
  root: string;
  sources: ConfigReader;
  /** Where persistentVolumeClaim volumes find their claims and volumes; without it such volumes cannot be set up. */
  claims?: ClaimReader;
  /** The node's allocatable resources: what a downward API file reports for a limit a container does not set. */
  allocatable?: Record<string, string | number>;
  log?: (line: string) => void;
  /** Where the timestamped directories of ConfigMap and Secret volumes get their names (the system clock by default). */
  clock?: Clock;
  /** Where projected volumes' ServiceAccount tokens come from; without it such a volume cannot be set up. */
  tokens?: ServiceAccountTokenManager;
}

/** A bind mount for the runtime: host path, path in the container, read-only or not, and how mounts propagate. */
export interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
  /** Linux propagation of mounts made under it later (mountPropagation): private when absent. */
  propagation?: 'rslave' | 'rshared';
}

/** What `refresh` did: the volumes it rewrote, and why others could not be. */
export interface RefreshResult {
  updated: string[];
  errors: ContainerConfigError[];
}

/** The kubelet's plugin directory names: `pods/<uid>/volumes/kubernetes.io~configmap/<name>`. */
const PLUGIN_DIR = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
} as const;

/** The bind propagation of each mountPropagation, as the kubelet asks the runtime for it. */
const PROPAGATION = { None: undefined, HostToContainer: 'rslave', Bidirectional: 'rshared' } as const;

/** Volumes whose content comes from the API: refreshed on change, always mounted read-only. */
const API_DATA = ['configMap', 'secret', 'downwardAPI', 'projected'] as const;

/**
 * The node agent's volumes, the part of the kubelet's volume manager a single node
 * needs: for each pod a directory per volume under `<root>/pods/<uid>/volumes/`, which
 * the runtime bind-mounts into the containers (`mountsFor`).
 *
 * - emptyDir: an empty directory (0777, so any container user may write) shared by the
 *   pod's containers for the pod's life. `medium: Memory` is a plain directory too (no
 *   tmpfs), and `sizeLimit` is not enforced.
 * - configMap, secret, downwardAPI (the pod's metadata and its containers' resources)
 *   and projected (any of those merged in one directory): files written by the
 *   AtomicWriter so that an update shows all at once; `refresh` rewrites them when
 *   their content changed. They are files on the node's disk (the kubelet keeps secrets
 *   on tmpfs).
 * - hostPath: the node's own path, after the checks its `type` asks for.
 * - persistentVolumeClaim: the bound volume's storage. A claim not bound yet fails the
 *   set-up (the pod waits, retried). hostPath and local volumes are their path on the
 *   node; local-path volumes (the default StorageClass's) a directory under
 *   `<root>/local-path/`, made on first mount and kept across the pod's lives.
 * - projected serviceAccountToken sources: the pod's bound token, from `tokens`.
 * - every other source (cloud disks, NFS, CSI, images...): refused
 *   with the reason unmountable-volumes.ts gives.
 *
 * Failures throw ContainerConfigError with `volume` set and the kubelet's message; the
 * pod's containers are not to be started until a later `setUp` succeeds. Calls for one
 * pod are serialized, so the agent may refresh while a pod worker sets up.
 */
export class VolumeManager {
  private readonly root: string;
  private readonly sources: ConfigReader;
  private readonly claims?: ClaimReader;
  private readonly localPath: LocalPathStorage;
  private readonly allocatable?: Record<string, string | number>;
  private readonly log: (line: string) => void;
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly clock: Clock;
  private readonly tokens?: ServiceAccountTokenManager;

  constructor(options: VolumeManagerOptions) {
    this.tokens = options.tokens;
    this.clock = options.clock ?? systemClock;
    this.root = path.resolve(options.root);
    this.sources = options.sources;
    this.claims = options.claims;
    this.localPath = new LocalPathStorage(this.root);
    this.allocatable = options.allocatable;
    this.log = options.log ?? (() => {});
  }

  /** The pod's directory: `<root>/pods/<uid>`. */
  podDir(uid: string): string {
    return path.join(this.root, 'pods', uid);
  }

  /**
   * Prepares every volume of the pod; idempotent (the kubelet calls it on every sync):
   * what exists is kept, API data is rewritten only if it changed. Stops at the first
   * volume that cannot be set up.
   */
  setUp(pod: PodObject): Promise<void> {
    return this.serialized(pod.metadata.uid!, async () => {
      for (const volume of pod.spec?.volumes ?? []) {
        await this.setUpVolume(pod, volume).catch((error: unknown) => {
          throw volumeError(volume.name, error);
        });
      }
    });
  }

  /**
   * Rewrites the pod's configMap, secret, downwardAPI and projected volumes whose
   * content changed (only those), as the kubelet's periodic remount does. One that
   * cannot be rewritten (its ConfigMap deleted, say) keeps its last content and is
   * reported in `errors`. Volumes not set up yet are left to `setUp`.
   */
  refresh(pod: PodObject): Promise<RefreshResult> {
    return this.serialized(pod.metadata.uid!, async () => {
      const result: RefreshResult = { updated: [], errors: [] };
      for (const volume of pod.spec?.volumes ?? []) {
        if (!API_DATA.some((kind) => volume[kind])) continue;
        if (!(await exists(this.volumeDir(pod, volume)))) continue;
        try {
          if (await this.setUpVolume(pod, volume)) result.updated.push(volume.name);
        } catch (error) {
          result.errors.push(volumeError(volume.name, error));
        }
      }
      return result;
    });
  }

  /**
   * The bind mounts of a container's volumeMounts, in order. A subPath is a path inside
   * the volume, created as a directory if missing (as the kubelet does), and resolved so
   * that a symlink cannot lead the mount out of the volume. configMap, secret,
   * downwardAPI and projected volumes are always read-only. Call after `setUp`, and
   * again for each container start: a subPath to a ConfigMap key resolves to the
   * current timestamped directory, which an update removes (such a mount does not see
   * updates, as in Kubernetes). A subPathExpr is expanded from the container's `env` first.
   */
  mountsFor(
    pod: PodObject,
    container: Container,
    env: ReadonlyArray<{ name: string; value: string }> = [],
  ): Promise<Mount[]> {
    return this.serialized(pod.metadata.uid!, async () => {
      const mounts: Mount[] = [];
      for (const mount of container.volumeMounts ?? []) {
        const volume = pod.spec?.volumes?.find((v) => v.name === mount.name);
        if (!volume) {
          throw new ContainerConfigError(
            `cannot find volume "${mount.name}" to mount into container "${container.name}"`,
          );
        }
        let dir: string;
        try {
          dir = this.volumeDir(pod, volume);
        } catch (error) {
          throw volumeError(volume.name, error);
        }
        const subPath = mount.subPathExpr ? expandArgs([mount.subPathExpr], env)[0] : mount.subPath;
        const source = subPath ? await subPathSource(dir, subPath, mount.name, container.name) : dir;
        const readOnly =
          mount.readOnly === true ||
          API_DATA.some((kind) => volume[kind]) ||
          volume.persistentVolumeClaim?.readOnly === true;
        const propagation = PROPAGATION[mount.mountPropagation ?? 'None'];
        mounts.push({ source, target: mount.mountPath, readOnly, ...(propagation ? { propagation } : {}) });
      }
      return mounts;
    });
  }

  /** Removes the pod's directory and every volume in it (not hostPaths, which are the node's). */
  tearDown(uid: string): Promise<void> {
    return this.serialized(uid, async () => {
      await fs.rm(this.podDir(uid), { recursive: true, force: true });
    });
  }

  /** Removes the data a deleted volume kept on this node, when its reclaim policy says Delete; never throws. */
  async releaseVolume(pv: VolumeObject): Promise<void> {
    try {
      if (await this.localPath.release(pv)) this.log(`volume ${pv.metadata.name}: data deleted`);
    } catch (error) {
      this.log(
        `volume ${pv.metadata.name}: deleting its data failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** The uids of the pods that have a directory: what to tear down once no longer wanted. */
  async podUids(): Promise<string[]> {
    return (await fs.readdir(path.join(this.root, 'pods')).catch(() => [])).sort();
  }

  /**
   * The host path of a volume: its directory under the pod's, a hostPath's own path, or
   * the path of a claim's volume (throws when the claim cannot be mounted yet).
   */
  volumeDir(pod: PodObject, volume: Volume): string {
    if (volume.hostPath) return volume.hostPath.path;
    if (volume.persistentVolumeClaim)
      return this.claimedVolume(pod, volume.persistentVolumeClaim.claimName).dir;
    const plugin =
      (Object.keys(PLUGIN_DIR) as Array<keyof typeof PLUGIN_DIR>).find((kind) => volume[kind]) ?? 'emptyDir';
    return path.join(this.podDir(pod.metadata.uid!), 'volumes', PLUGIN_DIR[plugin], volume.name);
  }

  /** Sets up one volume; returns whether it wrote new content. */
  private async setUpVolume(pod: PodObject, volume: Volume): Promise<boolean> {
    const dir = this.volumeDir(pod, volume);
    const unmountable = unmountableReason(volume, pod.metadata.name ?? '');
    if (unmountable) throw new Error(unmountable);
    if (volume.hostPath) {
      await checkHostPath(volume.hostPath.path, volume.hostPath.type);
      return false;
    }
    if (volume.persistentVolumeClaim) {
      const { pv, dir } = this.claimedVolume(pod, volume.persistentVolumeClaim.claimName);
      // A volume's hostPath type is the same enumeration as a pod's, typed loosely by the PV shape.
      type HostPathType = NonNullable<Volume['hostPath']>['type'];
      if (pv.spec?.hostPath) await checkHostPath(dir, pv.spec.hostPath.type as HostPathType);
      else if (pv.spec?.local) {
        if (!(await exists(dir))) throw new Error(`path "${dir}" does not exist`);
      } else await this.localPath.prepare(pv);
      return false;
    }
    const payload = apiVolumePayload(
      volume,
      pod,
      this.sources,
      this.allocatable,
      await this.tokensOf(pod, volume),
    );
    if (payload) return this.writeApiData(dir, payload, pod, volume);
    // emptyDir: created once, kept as the containers left it.
    if (await exists(dir)) return false;
    await fs.mkdir(dir, { recursive: true });
    await fs.chmod(dir, 0o777);
    return true;
  }

  /** The tokens a projected volume writes, asked for when due; none for other volumes. */
  private async tokensOf(pod: PodObject, volume: Volume) {
    if (!volume.projected?.sources?.some((source) => source.serviceAccountToken)) return undefined;
    if (!this.tokens) throw new Error('failed to fetch token: this node has no way to ask for tokens');
    return this.tokens.tokensFor(pod, volume);
  }

  /**
   * The volume a pod's claim is bound to, and where its storage is on this node. Throws
   * the kubelet's words while the claim is missing or not bound yet (the pod retries),
   * or when the volume's source is not one this node mounts.
   */
  private claimedVolume(pod: PodObject, claimName: string): { pv: VolumeObject; dir: string } {
    const claim = this.claims?.claim(pod.metadata.namespace ?? 'default', claimName);
    if (!claim) throw new Error(`persistentvolumeclaim "${claimName}" not found`);
    const volumeName = claim.spec?.volumeName;
    if (!volumeName || claim.status?.phase !== 'Bound')
      throw new Error(`persistentvolumeclaim "${claimName}" is not bound`);
    const pv = this.claims?.volume(volumeName);
    if (!pv) throw new Error(`persistentvolume "${volumeName}" not found`);
    if (pv.spec?.claimRef?.uid !== claim.metadata.uid)
      throw new Error(`persistentvolume "${volumeName}" is not bound to claim "${claimName}"`);
    if (pv.spec?.hostPath) return { pv, dir: pv.spec.hostPath.path };
    if (pv.spec?.local) return { pv, dir: pv.spec.local.path };
    const dir = this.localPath.pathOf(pv);
    if (dir) return { pv, dir };
    const csi = pv.spec?.csi?.driver;
    throw new Error(
      csi
        ? `driver name ${csi} not found in the list of registered CSI drivers`
        : `no volume plugin matched: this node mounts hostPath, local and local-path persistent volumes only`,
    );
  }

  private async writeApiData(
    dir: string,
    payload: Record<string, FileProjection>,
    pod: PodObject,
    volume: Volume,
  ): Promise<boolean> {
    await fs.mkdir(dir, { recursive: true, mode: 0o755 });
    const wrote = await new AtomicWriter(dir, this.clock).write(payload);
    if (wrote) this.log(`pod ${pod.metadata.namespace}/${pod.metadata.name}: volume ${volume.name} written`);
    return wrote;
  }

  /** Runs `work` after every earlier call for the same pod has finished. */
  private serialized<T>(uid: string, work: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(uid) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(work);
    const tail = next.catch(() => {});
    this.chains.set(uid, tail);
    void tail.then(() => {
      if (this.chains.get(uid) === tail) this.chains.delete(uid);
    });
    return next;
  }
}

/**
 * The host path a subPath mount binds: inside the volume, created (as a directory with
 * the volume's mode) when missing, with symlinks resolved and checked to stay inside —
 * a container could otherwise plant `x -> /` in an emptyDir for another to mount.
 */
async function subPathSource(
  volumeDir: string,
  subPath: string,
  volume: string,
  container: string,
): Promise<string> {
  if (path.isAbsolute(subPath))
    throw new ContainerConfigError(`error SubPath \`${subPath}\` must not be an absolute path`);
  if (subPath.split('/').includes('..')) {
    throw new ContainerConfigError(`unable to provision SubPath \`${subPath}\`: must not contain '..'`);
  }
  const root = await fs.realpath(volumeDir).catch(() => {
    throw new ContainerConfigError(`volume "${volume}" is not set up for container "${container}"`);
  });
  const wanted = path.join(root, subPath);
  if (!(await exists(wanted))) {
    try {
      const mode = (await fs.stat(root)).mode & 0o7777;
      const first = await fs.mkdir(wanted, { recursive: true });
      // mkdir's mode goes through the umask: set it on each directory made.
      for (let dir = wanted; first && dir.startsWith(first); dir = path.dirname(dir))
        await fs.chmod(dir, mode);
    } catch {
      // The kubelet does not tell the user about the host's filesystem either.
      throw new ContainerConfigError(
        `failed to create subPath directory for volumeMount "${volume}" of container "${container}"`,
      );
    }
  }
  const resolved = await fs.realpath(wanted);
  if (resolved !== root && !resolved.startsWith(root + path.sep)) {
    throw new ContainerConfigError(`subpath "${resolved}" not within volume path "${root}"`);
  }
  return resolved;
}

/** Whether something is at the path (a dangling symlink counts). */
async function exists(target: string): Promise<boolean> {
  return (await fs.lstat(target).catch(() => undefined)) !== undefined;
}

/** Any failure to set up a volume, as a ContainerConfigError naming the volume. */
export function volumeError(volume: string, error: unknown): ContainerConfigError {
  if (error instanceof ContainerConfigError && error.volume === volume) return error;
  return new ContainerConfigError(error instanceof Error ? error.message : String(error), volume);
}
