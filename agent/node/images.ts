import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import type Docker from 'dockerode';
import tar from 'tar-stream';

/**
 * The images kubeql's demos, tests and pod sandboxes use, built from the host's static
 * busybox with no registry: `FROM scratch`, busybox and a link per applet, a few
 * scripts. A build takes well under a second.
 */

/**
 * Every image here carries a tag other than `latest`: Kubernetes (and kubeql's pod
 * defaults) give an untagged or `:latest` image the pull policy Always, and the agent
 * would then try a registry at every container start. `stable` rather than a version:
 * the binary is whichever busybox-static the host has.
 */
export const BUSYBOX_IMAGE = 'kubeql/busybox:stable';
/** Holds a pod's network namespace; sleeps until told to stop. */
export const PAUSE_IMAGE = 'kubeql/pause:3.9';
export const DEMO_WEB_IMAGES = { v1: 'kubeql/demo-web:v1', v2: 'kubeql/demo-web:v2' } as const;

/** Where Debian's busybox-static puts its binary. */
const BUSYBOX_BINARY = '/bin/busybox';

const PAUSE_SCRIPT = `#!/bin/sh
trap 'exit 0' TERM INT
while :; do sleep 3600 & wait $!; done
`;

/**
 * The seed's webserver: \`/\` answers with the version, a greeting and the host name;
 * \`/kill\` makes the server exit with 1, as if it crashed. busybox's nc forks the
 * handler per connection, so requests are served concurrently. On SIGTERM it goes on
 * serving for a second (while its endpoint is withdrawn), stops listening, lets the
 * requests in flight finish, then exits 0: a rolling update loses no request.
 */
const SERVE_SCRIPT = `#!/bin/sh
port="\${WEBAPP_PORT:-8000}"
echo "WebServer listening port:$port"
nc -ll -p "$port" -e /handler &
server=$!
trap 'echo "Kill server!"; kill $server; exit 1' USR1
trap 'sleep "\${SHUTDOWN_DELAY_SECONDS:-1}"; kill $server; sleep 0.2; exit 0' TERM INT
wait $server
`;

function handlerScript(version: string): string {
  return `#!/bin/sh
read -r method path proto
while read -r line; do
  case "$line" in ""|$'\\r') break;; esac
done
echo "Accessing: $path" >&2
case "$path" in
  /kill*) body="Kill server!" ;;
  *) body="Version ${version}
Hello kubeql cluster!
HostName: $HOSTNAME" ;;
esac
printf 'HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\nContent-Length: %s\\r\\nConnection: close\\r\\n\\r\\n%s\\n' "$((\${#body}+1))" "$body"
case "$path" in /kill*) kill -USR1 1 ;; esac
`;
}

interface ImageRecipe {
  tag: string;
  files: Record<string, string>;
  cmd: string[];
  env?: string[];
  expose?: number[];
}

const RECIPES: ImageRecipe[] = [
  { tag: BUSYBOX_IMAGE, files: {}, cmd: ['sh'] },
  { tag: PAUSE_IMAGE, files: { '/pause': PAUSE_SCRIPT }, cmd: ['/pause'] },
  ...(['v1', 'v2'] as const).map((version) => ({
    tag: DEMO_WEB_IMAGES[version],
    files: { '/serve': SERVE_SCRIPT, '/handler': handlerScript(version === 'v1' ? '1.0' : '2.0') },
    cmd: ['/serve'],
    env: ['WEBAPP_PORT=8000'],
    expose: [8000],
  })),
];

function applets(): string[] {
  const list = execFileSync(BUSYBOX_BINARY, ['--list'], { encoding: 'utf8' });
  return list.split('\n').filter((name) => /^[\w.[-]+$/.test(name) && name !== 'busybox');
}

/** The build context: a Dockerfile and the root filesystem it copies. */
function context(recipe: ImageRecipe, busybox: Buffer, names: string[]): tar.Pack {
  const pack = tar.pack();
  const dockerfile = [
    'FROM scratch',
    'COPY rootfs/ /',
    'ENV PATH=/bin',
    ...(recipe.env ?? []).map((env) => `ENV ${env}`),
    ...(recipe.expose ?? []).map((port) => `EXPOSE ${port}`),
    `CMD ${JSON.stringify(recipe.cmd)}`,
  ].join('\n');
  pack.entry({ name: 'Dockerfile' }, dockerfile);
  for (const dir of ['bin', 'etc', 'tmp', 'root', 'var', 'proc', 'sys', 'dev']) {
    pack.entry({ name: `rootfs/${dir}`, type: 'directory', mode: dir === 'tmp' ? 0o1777 : 0o755 });
  }
  pack.entry({ name: 'rootfs/bin/busybox', mode: 0o755 }, busybox);
  for (const name of names) {
    pack.entry({ name: `rootfs/bin/${name}`, type: 'symlink', linkname: 'busybox' });
  }
  pack.entry(
    { name: 'rootfs/etc/passwd' },
    'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n',
  );
  pack.entry({ name: 'rootfs/etc/group' }, 'root:x:0:\nnobody:x:65534:\n');
  for (const [file, text] of Object.entries(recipe.files)) {
    pack.entry({ name: `rootfs${file}`, mode: 0o755 }, text);
  }
  pack.finalize();
  return pack;
}

/** Labels each image with a digest of its recipe, so a changed recipe is rebuilt. */
const RECIPE_LABEL = 'io.kubeql.recipe';

function digestOf(recipe: ImageRecipe): string {
  return crypto.createHash('sha256').update(JSON.stringify(recipe)).digest('hex').slice(0, 16);
}

async function build(docker: Docker, recipe: ImageRecipe, busybox: Buffer, names: string[]): Promise<void> {
  const stream = await docker.buildImage(
    context(recipe, busybox, names) as unknown as NodeJS.ReadableStream,
    {
      t: recipe.tag,
      labels: { [RECIPE_LABEL]: digestOf(recipe) },
    },
  );
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null) => (error ? reject(error) : resolve()),
      (event: { error?: string }) => {
        if (event.error) reject(new Error(`building ${recipe.tag}: ${event.error}`));
      },
    );
  });
}

async function upToDate(docker: Docker, recipe: ImageRecipe): Promise<boolean> {
  try {
    const image = await docker.getImage(recipe.tag).inspect();
    return image.Config.Labels?.[RECIPE_LABEL] === digestOf(recipe);
  } catch {
    return false;
  }
}

/**
 * Builds kubeql/busybox:stable, kubeql/pause:3.9 and kubeql/demo-web:v1/v2 (those missing or built
 * from an older recipe, or all with `force`). Returns the tags built. Fails clearly when the host has no static busybox.
 */
export async function ensureImages(docker: Docker, options: { force?: boolean } = {}): Promise<string[]> {
  const missing: ImageRecipe[] = [];
  for (const recipe of RECIPES) {
    if (options.force || !(await upToDate(docker, recipe))) missing.push(recipe);
  }
  if (missing.length === 0) return [];
  if (!fs.existsSync(BUSYBOX_BINARY)) {
    throw new Error(
      `cannot build ${missing.map((r) => r.tag).join(', ')}: ${BUSYBOX_BINARY} is missing (install busybox-static)`,
    );
  }
  const busybox = fs.readFileSync(BUSYBOX_BINARY);
  const names = applets();
  for (const recipe of missing) await build(docker, recipe, busybox, names);
  return missing.map((r) => r.tag);
}
