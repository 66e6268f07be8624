import fs from 'node:fs/promises';
import path from 'node:path';
import {
  LOCAL_PATH_PROVISIONER,
  type VolumeObject,
} from '../controllers/persistent-volume/storage-objects.ts';

/** Handles are volume names; anything that could leave the storage directory is refused. */
const SAFE_HANDLE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * The node's side of the local-path provisioner: each volume it made for this node is a
 * directory `<root>/local-path/<volume>`, created (0777, for any container user) when a
 * pod first mounts it and removed when the volume is deleted with reclaim policy
 * Delete. A Retained volume's directory stays, as its data is the administrator's.
 */
export class LocalPathStorage {
  private readonly dir: string;

  constructor(root: string) {
    this.dir = path.join(root, 'local-path');
  }

  /** The volume's directory when the local-path provisioner made it; undefined for any other volume. */
  pathOf(volume: VolumeObject): string | undefined {
    const csi = volume.spec?.csi;
    if (csi?.driver !== LOCAL_PATH_PROVISIONER) return undefined;
    if (!SAFE_HANDLE.test(csi.volumeHandle ?? '')) return undefined;
    return path.join(this.dir, csi.volumeHandle!);
  }

  /** Makes the volume's directory if missing, keeping what is in it. */
  async prepare(volume: VolumeObject): Promise<string> {
    const dir = this.pathOf(volume);
    if (!dir) throw new Error(`volume "${volume.metadata.name}" is not a local-path volume`);
    const made = await fs.mkdir(dir, { recursive: true });
    if (made) await fs.chmod(dir, 0o777);
    return dir;
  }

  /** Removes a deleted volume's data, if it was kept here and its policy says Delete. */
  async release(volume: VolumeObject): Promise<boolean> {
    const dir = this.pathOf(volume);
    if (!dir || volume.spec?.persistentVolumeReclaimPolicy !== 'Delete') return false;
    const present = await fs.stat(dir).catch(() => undefined);
    if (!present) return false;
    await fs.rm(dir, { recursive: true, force: true });
    return true;
  }
}
