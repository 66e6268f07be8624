import fs from 'node:fs';

/** The parts of a resolv.conf(5) that DNS configuration is made of. */
export interface ResolvConf {
  nameservers: string[];
  searches: string[];
  /** As written: `ndots:5`, `edns0`. */
  options: string[];
}

/** Parses resolv.conf text; later `search`/`domain` lines replace earlier ones, as the resolver does. */
export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const [keyword, ...values] = raw
      .replace(/[#;].*$/, '')
      .trim()
      .split(/\s+/);
    if (keyword === 'nameserver' && values[0]) conf.nameservers.push(values[0]);
    else if (keyword === 'search' || keyword === 'domain') conf.searches = values.filter(Boolean);
    else if (keyword === 'options') conf.options.push(...values.filter(Boolean));
  }
  return conf;
}

/** The host's resolver configuration; empty when the file cannot be read. */
export function hostResolvConf(path = '/etc/resolv.conf'): ResolvConf {
  try {
    return parseResolvConf(fs.readFileSync(path, 'utf8'));
  } catch {
    return { nameservers: [], searches: [], options: [] };
  }
}
