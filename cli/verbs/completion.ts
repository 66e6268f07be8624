import type { Cli } from '../context.ts';
import { UsageError } from '../failure.ts';
import type { Parsed } from '../flags.ts';
import { ALL_KINDS } from '../kinds.ts';
import type { Verb } from './verb.ts';

/** The completion verb for kq's other verbs (the verb table passes their names, so it need not import it). */
export const completionFor = (verbs: string[]): Verb => ({
  usage: `Print shell completion code for bash or zsh: commands, resource types, and the names
of objects (asked of the server as you type).

Examples:
  source <(kq completion bash)
  kq completion zsh > "\${fpath[1]}/_kq"

Usage: kq completion (bash|zsh)`,
  options: {},
  run: (cli, parsed) => runCompletion(cli, parsed, verbs),
});

const CLUSTER = ['up', 'server', 'controllers', 'scheduler', 'agent'];
/** Verbs whose next word is a resource type, then a name. */
const TYPED = ['get', 'describe', 'delete', 'edit', 'label', 'annotate', 'scale', 'expose', 'explain'];

function bash(commands: string[], types: string[]): string {
  return `# bash completion for kq; load with: source <(kq completion bash)
_kq() {
  local cur prev words cword
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local cmd="\${COMP_WORDS[1]}"
  if [[ \${COMP_CWORD} -eq 1 ]]; then
    COMPREPLY=( $(compgen -W "${commands.join(' ')}" -- "$cur") )
    return
  fi
  case "$prev" in
    -n|--namespace)
      COMPREPLY=( $(compgen -W "$(kq get namespaces -o jsonpath='{.items[*].metadata.name}' 2>/dev/null)" -- "$cur") )
      return;;
    -o|--output)
      COMPREPLY=( $(compgen -W "wide yaml json name jsonpath= custom-columns=" -- "$cur") )
      return;;
    -f|--filename)
      COMPREPLY=( $(compgen -f -- "$cur") )
      return;;
  esac
  case "$cmd" in
    rollout)
      if [[ \${COMP_CWORD} -eq 2 ]]; then COMPREPLY=( $(compgen -W "status history undo pause resume restart" -- "$cur") ); return; fi
      if [[ \${COMP_CWORD} -eq 3 ]]; then COMPREPLY=( $(compgen -W "deployment statefulset daemonset" -- "$cur") ); return; fi
      COMPREPLY=( $(compgen -W "$(kq get "$prev" -o jsonpath='{.items[*].metadata.name}' 2>/dev/null)" -- "$cur") ); return;;
    completion) COMPREPLY=( $(compgen -W "bash zsh" -- "$cur") ); return;;
    config) COMPREPLY=( $(compgen -W "view set unset get-contexts current-context use-context set-context delete-context current-namespace path kubeconfig" -- "$cur") ); return;;
    create) [[ \${COMP_CWORD} -eq 2 ]] && COMPREPLY=( $(compgen -W "deployment namespace configmap secret" -- "$cur") ); return;;
    set) [[ \${COMP_CWORD} -eq 2 ]] && COMPREPLY=( $(compgen -W "image" -- "$cur") ); return;;
    logs|exec) COMPREPLY=( $(compgen -W "$(kq get pods -o jsonpath='{.items[*].metadata.name}' 2>/dev/null)" -- "$cur") ); return;;
    ${TYPED.join('|')})
      if [[ \${COMP_CWORD} -eq 2 ]]; then COMPREPLY=( $(compgen -W "${types.join(' ')}" -- "$cur") ); return; fi
      COMPREPLY=( $(compgen -W "$(kq get "\${COMP_WORDS[2]}" -o jsonpath='{.items[*].metadata.name}' 2>/dev/null)" -- "$cur") ); return;;
  esac
}
complete -o default -F _kq kq
`;
}

function zsh(commands: string[], types: string[]): string {
  return `#compdef kq
# zsh completion for kq; load with: source <(kq completion zsh), or save as _kq in $fpath
_kq() {
  local cmd=\${words[2]}
  if (( CURRENT == 2 )); then
    compadd -- ${commands.join(' ')}
    return
  fi
  case \${words[CURRENT-1]} in
    -n|--namespace) compadd -- \${(z)"$(kq get namespaces -o jsonpath='{.items[*].metadata.name}' 2>/dev/null)"}; return;;
    -o|--output) compadd -- wide yaml json name jsonpath= custom-columns=; return;;
    -f|--filename) _files; return;;
  esac
  case $cmd in
    rollout)
      if (( CURRENT == 3 )); then compadd -- status history undo pause resume restart; return; fi
      if (( CURRENT == 4 )); then compadd -- deployment statefulset daemonset; return; fi
      compadd -- \${(z)"$(kq get \${words[4]} -o jsonpath='{.items[*].metadata.name}' 2>/dev/null)"};;
    completion) compadd -- bash zsh;;
    config) compadd -- view set unset get-contexts current-context use-context set-context delete-context current-namespace path kubeconfig;;
    create) (( CURRENT == 3 )) && compadd -- deployment namespace configmap secret;;
    set) (( CURRENT == 3 )) && compadd -- image;;
    logs|exec) compadd -- \${(z)"$(kq get pods -o jsonpath='{.items[*].metadata.name}' 2>/dev/null)"};;
    ${TYPED.join('|')})
      if (( CURRENT == 3 )); then compadd -- ${types.join(' ')}; return; fi
      compadd -- \${(z)"$(kq get \${words[3]} -o jsonpath='{.items[*].metadata.name}' 2>/dev/null)"};;
    *) _files;;
  esac
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _kq "$@"; else compdef _kq kq; fi
`;
}

async function runCompletion(cli: Cli, { positionals }: Parsed, verbs: string[]): Promise<number> {
  const commands = [...CLUSTER, ...verbs].sort();
  const types = [...new Set(ALL_KINDS.flatMap((k) => [k.plural, ...k.shortNames]))].sort();
  const [shell] = positionals;
  if (shell === 'bash') cli.io.stdout.write(bash(commands, types));
  else if (shell === 'zsh') cli.io.stdout.write(zsh(commands, types));
  else
    throw new UsageError(
      shell ? `Unsupported shell type "${shell}".` : 'Shell not specified: kq completion bash|zsh',
    );
  return 0;
}
