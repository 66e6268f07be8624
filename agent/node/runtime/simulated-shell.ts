/**
 * Just enough of a POSIX shell for the simulated runtime to read the scripts pods
 * commonly run (`sh -c "echo hi; sleep 5"`, `while true; do date; sleep 1; done`):
 * statements split on `;`, `&&`, `||` and newlines outside quotes, words with single
 * and double quotes, `$VAR` and `${VAR}` expanded, and the output redirections that
 * matter for logs (`>&2`, `>/dev/null`).
 */

/** How a statement joins the one before it. */
export type Joiner = ';' | '&&' | '||';

export interface Statement {
  /** The statement's text, trimmed. */
  text: string;
  joiner: Joiner;
}

export interface Command {
  words: string[];
  /** Output redirected to standard error (`>&2`, `1>&2`). */
  toStderr: boolean;
  /** Output thrown away (`>/dev/null`). */
  discard: boolean;
}

/** Splits a script into statements on `;`, `&&`, `||` and newlines that are outside quotes. */
export function statements(script: string): Statement[] {
  const result: Statement[] = [];
  let current = '';
  let joiner: Joiner = ';';
  let quote: string | undefined;
  const flush = (next: Joiner) => {
    if (current.trim()) result.push({ text: current.trim(), joiner });
    current = '';
    joiner = next;
  };
  for (let i = 0; i < script.length; i++) {
    const char = script[i];
    if (quote) {
      // Kept as written: `command` reads the quotes.
      current += char;
      if (char === '\\' && quote === '"' && i + 1 < script.length) current += script[++i];
      else if (char === quote) quote = undefined;
      continue;
    }
    if (char === "'" || char === '"') {
      quote = char;
      current += char;
    } else if (char === ';' || char === '\n') flush(';');
    else if ((char === '&' || char === '|') && script[i + 1] === char) {
      flush(char === '&' ? '&&' : '||');
      i++;
    } else current += char;
  }
  flush(';');
  return result;
}

/** The words of one statement, quotes removed and variables expanded from `env`, with its redirections. */
export function command(text: string, env: Record<string, string>): Command {
  const words: string[] = [];
  let toStderr = false;
  let discard = false;
  let word = '';
  let inWord = false;
  let quote: string | undefined;
  const expandAt = (i: number): [string, number] => {
    const braced = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(text.slice(i));
    const bare = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i));
    const match = braced ?? bare;
    if (!match) return ['$', i + 1];
    return [env[match[1]] ?? '', i + match[0].length];
  };
  const end = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  for (let i = 0; i < text.length;) {
    const char = text[i];
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
      i++;
    } else if (quote === '"') {
      if (char === '"') {
        quote = undefined;
        i++;
      } else if (char === '\\' && '"\\$'.includes(text[i + 1] ?? '')) {
        word += text[i + 1];
        i += 2;
      } else if (char === '$') {
        const [value, next] = expandAt(i);
        word += value;
        i = next;
      } else {
        word += char;
        i++;
      }
    } else if (/\s/.test(char)) {
      end();
      i++;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
      i++;
    } else if (char === '$') {
      const [value, next] = expandAt(i);
      word += value;
      inWord = true;
      i = next;
    } else {
      word += char;
      inWord = true;
      i++;
    }
  }
  end();
  const kept: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === '>&2' || w === '1>&2') toStderr = true;
    else if (w === '>/dev/null' || w === '1>/dev/null') discard = true;
    else if ((w === '>' || w === '1>') && words[i + 1] === '/dev/null') {
      discard = true;
      i++;
    } else if (w === '2>&1' || w === '2>/dev/null') continue;
    else kept.push(w);
  }
  return { words: kept, toStderr, discard };
}

/** What `echo` prints for its arguments (`-n` and `-e` understood), as lines. */
export function echoLines(args: string[]): string[] {
  let escapes = false;
  while (args[0] === '-n' || args[0] === '-e' || args[0] === '-ne' || args[0] === '-en') {
    if (args[0].includes('e')) escapes = true;
    args = args.slice(1);
  }
  const text = args.join(' ');
  return (escapes ? unescape(text) : text).split('\n');
}

/** What `printf FORMAT ARGS...` prints, as lines (a trailing newline ends the last one). */
export function printfLines(args: string[]): string[] {
  const [format = '', ...rest] = args;
  let index = 0;
  const text = unescape(format.replace(/%[sd]/g, () => rest[index++] ?? '').replace(/%%/g, '%'));
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function unescape(text: string): string {
  return text.replace(/\\([ntr\\])/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r', '\\': '\\' })[c]!);
}
