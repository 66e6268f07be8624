/**
 * The Pod Security Standards' levels, from least to most strict, and a level at a version
 * as Kubernetes prints it ("restricted:latest"). Every version is evaluated as `latest`:
 * kubeql keeps one set of checks, Kubernetes' newest, and accepts `v1.N` labels so that
 * manifests written for Kubernetes apply unchanged.
 */

export const LEVELS = ['privileged', 'baseline', 'restricted'] as const;

export type Level = (typeof LEVELS)[number];

export interface LevelVersion {
  level: Level;
  /** "latest" or "v1.N", as the namespace's label gave it. */
  version: string;
}

/** The three modes a namespace sets a level for. */
export interface Policy {
  enforce: LevelVersion;
  audit: LevelVersion;
  warn: LevelVersion;
}

export const MODES = ['enforce', 'audit', 'warn'] as const;

export type Mode = (typeof MODES)[number];

export function isLevel(value: string): value is Level {
  return (LEVELS as readonly string[]).includes(value);
}

/** "baseline:latest". */
export function levelVersionText(lv: LevelVersion): string {
  return `${lv.level}:${lv.version}`;
}

/** Negative when `a` is less strict than `b`, zero when equal, positive when stricter. */
export function compareLevels(a: Level, b: Level): number {
  return LEVELS.indexOf(a) - LEVELS.indexOf(b);
}

export function sameLevelVersion(a: LevelVersion, b: LevelVersion): boolean {
  return a.level === b.level && a.version === b.version;
}

export const LATEST = 'latest';
