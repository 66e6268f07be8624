import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { Resource } from '../client/types.ts';
import type { CliIO } from './io.ts';

/** One object from a -f source, and where it came from (for error messages). */
export interface Manifest {
  object: Resource;
  source: string;
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * The objects of every `-f` source, as kubectl reads them: a file, a directory's
 * .yaml/.yml/.json files (its subdirectories too with -R), `-` for standard input or an
 * http(s) URL; several YAML documents per file; `kind: List` unwrapped. A broken
 * document is reported with its file and line.
 */
export async function readManifests(sources: string[], io: CliIO, recursive = false): Promise<Manifest[]> {
  const out: Manifest[] = [];
  for (const source of sources) {
    for (const [name, text] of await readSource(source, io, recursive)) {
      for (const object of parseDocuments(text, name)) out.push({ object, source: name });
    }
  }
  return out;
}

async function readSource(source: string, io: CliIO, recursive: boolean): Promise<Array<[string, string]>> {
  if (source === '-') return [['STDIN', await io.readStdin()]];
  if (/^https?:\/\//.test(source)) {
    const response = await fetch(source).catch((error: Error) => {
      throw new Error(`unable to read URL "${source}": ${error.message}`);
    });
    if (!response.ok)
      throw new Error(
        `unable to read URL "${source}", server reported ${response.status} ${response.statusText}`,
      );
    return [[source, await response.text()]];
  }
  const file = path.resolve(io.cwd, source);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new Error(`the path "${source}" does not exist`);
  }
  if (!stat.isDirectory()) return [[source, fs.readFileSync(file, 'utf8')]];
  const out: Array<[string, string]> = [];
  for (const entry of fs
    .readdirSync(file, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))) {
    const child = path.join(source, entry.name);
    if (entry.isDirectory()) {
      if (recursive) out.push(...(await readSource(child, io, true)));
    } else if (EXTENSIONS.has(path.extname(entry.name))) {
      out.push([child, fs.readFileSync(path.join(file, entry.name), 'utf8')]);
    }
  }
  return out;
}

/** YAML (JSON is YAML too) with its documents; the first error names the line, as kubectl does. */
export function parseDocuments(text: string, source: string): Resource[] {
  const out: Resource[] = [];
  for (const doc of YAML.parseAllDocuments(text)) {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0]?.line;
      const message = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw new Error(`error parsing ${source}: yaml: ${line ? `line ${line}: ` : ''}${message}`);
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      throw new Error(`error parsing ${source}: ${(e as Error).message}`);
    }
    out.push(...objectsOf(value, source));
  }
  return out;
}

function objectsOf(value: unknown, source: string): Resource[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((v) => objectsOf(v, source));
  if (typeof value !== 'object')
    throw new Error(`error validating data from ${source}: not an object: ${JSON.stringify(value)}`);
  const obj = value as Resource;
  if (obj.kind === 'List' && Array.isArray(obj.items))
    return (obj.items as unknown[]).flatMap((v) => objectsOf(v, source));
  if (!obj.kind) throw new Error(`error validating data from ${source}: kind not set`);
  if (!obj.apiVersion) throw new Error(`error validating data from ${source}: apiVersion not set`);
  obj.metadata ??= {};
  return [obj];
}
