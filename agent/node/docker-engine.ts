import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { ensureImages } from './images.ts';

// Two folders below the repository, here and in the compiled agent (dist/agent/kq-agent.mjs).
const SETUP_SCRIPT = fileURLToPath(new URL('../../scripts/docker-engine.sh', import.meta.url));

async function answers(docker: Docker): Promise<boolean> {
  try {
    await docker.ping();
    return true;
  } catch {
    return false;
  }
}

/**
 * A Docker engine that answers, with the demo images built: when the engine is not
 * reachable, runs scripts/docker-engine.sh (installs docker.io and busybox-static, starts
 * dockerd, as far as this user may) and fails with what it said when that was not enough.
 */
export async function ensureDockerEngine(log: (line: string) => void): Promise<Docker> {
  const docker = new Docker();
  if (!(await answers(docker))) {
    log('the Docker engine does not answer: setting it up');
    const setup = spawnSync('sh', [SETUP_SCRIPT], { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
    if (setup.stderr) log(setup.stderr.trim());
    if (setup.status !== 0 || !(await answers(docker))) {
      throw new Error(
        'no Docker engine: see the message above, or run `kq up --runtime simulated` for hollow nodes',
      );
    }
  }
  const built = await ensureImages(docker);
  if (built.length > 0) log(`built images: ${built.join(', ')}`);
  return docker;
}
