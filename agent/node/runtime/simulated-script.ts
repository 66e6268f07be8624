import { RuntimeError } from './runtime-error.ts';
import { command, echoLines, printfLines, statements, type Statement } from './simulated-shell.ts';

/** One line a simulated command prints, `atMs` after it starts. */
export interface ScriptLine {
  atMs: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

/**
 * What a command prints over time: lines once, then possibly a loop that prints
 * `lines` again every `periodMs` from `startMs` on, for as long as it runs.
 */
export interface ScriptOutput {
  lines: ScriptLine[];
  loop?: { startMs: number; periodMs: number; lines: ScriptLine[] };
  exitCode: number;
}

export interface ScriptContext {
  env: Record<string, string>;
  hostname: string;
  stdin?: string;
  /** Refuse what the simulation cannot run (exec), rather than skip it silently (a container's command). */
  strict: boolean;
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh']);

/**
 * Plays a container's command or an exec'd one: `echo`, `printf`, `hostname` (the pod's
 * name), `env`/`printenv`, `cat` (standard input), `true`, `false`, `exit N`, `sleep N`
 * (time passes), `pwd`, `id`, `whoami`, directly or in `sh -c` with `;`, `&&`, `||`,
 * `for x in ...; do ...; done` and endless `while true; do ...; done` loops.
 * A command it does not know fails with a RuntimeError when `strict`, and is skipped
 * otherwise.
 */
export function playScript(argv: string[], context: ScriptContext): ScriptOutput {
  const program = basename(argv[0] ?? '');
  const player = new Player(context);
  if (SHELLS.has(program) && argv[1] === '-c') {
    player.run(statements(argv[2] ?? ''), context.env);
  } else {
    player.runWords(argv, false, false);
  }
  return { lines: player.lines, loop: player.loop, exitCode: player.status };
}

function basename(path: string): string {
  return path.split('/').pop()!;
}

/** `5`, `0.5`, `5s`, `2m`, `1h`, `1d` as `sleep` takes them. */
function sleepMs(arg: string | undefined): number | undefined {
  const match = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(arg ?? '');
  if (!match) return undefined;
  return Number(match[1]) * { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2]]!;
}

/** Thrown to stop playing: `exit`, an endless `sleep`, a loop that never ends. */
class Stop {}

class Player {
  lines: ScriptLine[] = [];
  loop?: ScriptOutput['loop'];
  status = 0;
  private atMs = 0;

  constructor(private readonly context: ScriptContext) {}

  run(list: Statement[], env: Record<string, string>): void {
    try {
      this.block(list, env);
    } catch (stop) {
      if (!(stop instanceof Stop)) throw stop;
    }
  }

  runWords(words: string[], toStderr: boolean, discard: boolean): void {
    try {
      this.simple(words, toStderr, discard, this.context.env);
    } catch (stop) {
      if (!(stop instanceof Stop)) throw stop;
    }
  }

  private block(list: Statement[], env: Record<string, string>): void {
    for (let i = 0; i < list.length; i++) {
      const { text, joiner } = list[i];
      if ((joiner === '&&' && this.status !== 0) || (joiner === '||' && this.status === 0)) continue;
      const head = text.split(/\s+/);
      if (head[0] === 'while' || head[0] === 'until' || head[0] === 'for') {
        const end = list.findIndex((s, j) => j > i && (s.text === 'done' || s.text.startsWith('done ')));
        if (end < 0) return this.unsupported(text);
        const body = list
          .slice(i + 1, end)
          .map((s, j) => (j === 0 ? { ...s, text: s.text.replace(/^do\b\s*/, '') } : s));
        this.compound(
          head,
          body.filter((s) => s.text),
          env,
        );
        i = end;
        continue;
      }
      const { words, toStderr, discard } = command(text, env);
      this.simple(words, toStderr, discard, env);
    }
  }

  /** A loop: `for x in a b c` runs its body once per word; `while true` / `until false` for ever. */
  private compound(head: string[], body: Statement[], env: Record<string, string>): void {
    if (head[0] === 'for' && head[2] === 'in') {
      for (const value of head.slice(3)) this.block(body, { ...env, [head[1]]: value });
      return;
    }
    const endless =
      (head[0] === 'while' && (head[1] === 'true' || head[1] === ':')) ||
      (head[0] === 'until' && head[1] === 'false');
    if (!endless || this.context.strict) {
      this.unsupported(head.join(' '));
      // A container's loop the simulation cannot follow: what comes after it is out of reach.
      throw new Stop();
    }
    // One pass of the body gives its lines and how long it takes: the period of the loop.
    const pass = new Player(this.context);
    pass.block(body, env);
    if (pass.atMs > 0) this.loop = { startMs: this.atMs, periodMs: pass.atMs, lines: pass.lines };
    throw new Stop();
  }

  private simple(words: string[], toStderr: boolean, discard: boolean, env: Record<string, string>): void {
    const [name = '', ...args] = words;
    const print = (...texts: string[]) => {
      if (discard) return;
      for (const text of texts)
        this.lines.push({ atMs: this.atMs, stream: toStderr ? 'stderr' : 'stdout', text });
    };
    this.status = 0;
    switch (basename(name)) {
      case '':
      case 'true':
      case ':':
        return;
      case 'false':
        this.status = 1;
        return;
      case 'echo':
        return print(...echoLines(args));
      case 'printf':
        return print(...printfLines(args));
      case 'hostname':
        return print(this.context.hostname);
      case 'pwd':
        return print('/');
      case 'whoami':
        return print('root');
      case 'id':
        return print('uid=0(root) gid=0(root) groups=0(root)');
      case 'env':
      case 'printenv':
        if (args.length === 0) return print(...Object.entries(env).map(([k, v]) => `${k}=${v}`));
        if (env[args[0]] === undefined) this.status = 1;
        else print(env[args[0]]);
        return;
      case 'cat': {
        if (args.length > 0 && args[0] !== '-') return this.unsupported(words.join(' '));
        const stdin = this.context.stdin ?? '';
        if (stdin === '') return;
        return print(...(stdin.endsWith('\n') ? stdin.slice(0, -1) : stdin).split('\n'));
      }
      case 'exit':
        this.status = args[0] === undefined ? 0 : Number(args[0]) & 0xff;
        throw new Stop();
      case 'sleep': {
        if (args[0] === 'infinity') throw new Stop();
        const ms = sleepMs(args[0]);
        if (ms === undefined) return this.unsupported(words.join(' '));
        this.atMs += ms;
        return;
      }
      default:
        return this.unsupported(words.join(' '));
    }
  }

  private unsupported(what: string): void {
    if (this.context.strict)
      throw new RuntimeError('BAD_REQUEST', `the simulated runtime cannot run ${what}`);
    // A container's command goes on past what the simulation does not know, printing nothing for it.
  }
}
