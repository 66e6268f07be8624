import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import type { PodObject } from '../../agent/objects.ts';
import type { ConfigMapObject, ConfigReader, SecretObject } from '../../agent/node/config-sources.ts';
import { ContainerConfigError } from '../../agent/node/container-config-error.ts';
import { VolumeManager } from '../../agent/node/volumes.ts';
import type { Container, Volume } from '../../schema/kinds/pod.ts';

// Shared by the volumes-*.test.ts files: a pod's volumes as the node agent sets them up,
// in a temporary directory, from ConfigMaps and Secrets the tests hold in memory.

export const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** An in-memory ConfigReader over namespace "ns" that tests change between calls. */
export class Objects implements ConfigReader {
  readonly configMaps = new Map<string, Partial<ConfigMapObject>>();
  readonly secrets = new Map<string, Partial<SecretObject>>();
  configMap(namespace: string, name: string) {
    const found = namespace === 'ns' ? this.configMaps.get(name) : undefined;
    return (
      found &&
      ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, ...found } as ConfigMapObject)
    );
  }
  secret(namespace: string, name: string) {
    const found = namespace === 'ns' ? this.secrets.get(name) : undefined;
    return (
      found && ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, ...found } as SecretObject)
    );
  }
}

export function podWith(volumes: Volume[], uid = 'uid-1'): PodObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'ns', uid },
    spec: { containers: [{ name: 'app', image: 'busybox' }], volumes },
  };
}

export const container = (volumeMounts: Container['volumeMounts']): Container => ({
  name: 'app',
  image: 'busybox',
  volumeMounts,
});

export async function failure(promise: Promise<unknown>): Promise<ContainerConfigError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a ContainerConfigError');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ContainerConfigError);
  return error as ContainerConfigError;
}

export const mode = (file: string) => fs.statSync(file).mode & 0o777;
export const read = (file: string) => fs.readFileSync(file, 'utf8');
/** The entries of a volume directory, without the timestamped one (its name varies). */
export const entries = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((name) => !/^\.\.\d{4}_/.test(name))
    .sort();

export interface VolumeSandbox {
  /** A fresh temporary directory, removed after the test. */
  tmp: string;
  /** What the VolumeManager reads ConfigMaps and Secrets from. */
  objects: Objects;
  /** A VolumeManager rooted at tmp/agent over `objects`. */
  volumes: VolumeManager;
}

/** Before each test, a fresh sandbox handed to `use`; after it, its directory removed. */
export function volumeSandbox(use: (sandbox: VolumeSandbox) => void): void {
  let tmp: string | undefined;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-volumes-'));
    const objects = new Objects();
    use({ tmp, objects, volumes: new VolumeManager({ root: path.join(tmp, 'agent'), sources: objects }) });
  });
  afterEach(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });
}
